package io.bemi.dashboard.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.bemi.dashboard.changes.Activity;
import io.bemi.dashboard.changes.ChangeRepository;
import io.bemi.dashboard.gaps.GapRepository;
import io.bemi.dashboard.health.IngesterMetricsReader;
import io.bemi.dashboard.restore.ReplayService;
import io.bemi.dashboard.restore.RestoreService;
import io.bemi.dashboard.revert.RevertService;
import java.time.Clock;

/** What the web layer needs, handed to {@link DashboardApp#create}: no static state anywhere. */
public record Services(
    ChangeRepository changes,
    GapRepository gaps,
    Activity activity,
    RevertService revert,
    RestoreService restore,
    ReplayService replay,
    IngesterMetricsReader ingesterMetrics,
    Security security,
    ObjectMapper json,
    Clock clock) {}
