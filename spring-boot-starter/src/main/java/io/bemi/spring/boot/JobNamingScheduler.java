package io.bemi.spring.boot;

import io.bemi.Bemi;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import org.springframework.scheduling.TaskScheduler;
import org.springframework.scheduling.Trigger;

/**
 * Hands each task to the application's scheduler so that it runs with the context
 * {@code {"job": "com.example.Jobs.nightly"}} merged in. Spring names an {@code @Scheduled} task by
 * its method ({@code ScheduledMethodRunnable#toString}); that name is the job.
 */
final class JobNamingScheduler implements TaskScheduler {

  private final TaskScheduler scheduler;
  private final BemiCounts counts;

  JobNamingScheduler(TaskScheduler scheduler, BemiCounts counts) {
    this.scheduler = scheduler;
    this.counts = counts;
  }

  private Runnable named(Runnable task) {
    Map<String, String> job = Map.of("job", task.toString());
    return () -> {
      counts.jobContexts.increment();
      try (Bemi.Scope ignored = Bemi.withMergedContext(job)) {
        task.run();
      }
    };
  }

  @Override
  public Clock getClock() {
    return scheduler.getClock();
  }

  @Override
  public ScheduledFuture<?> schedule(Runnable task, Trigger trigger) {
    return scheduler.schedule(named(task), trigger);
  }

  @Override
  public ScheduledFuture<?> schedule(Runnable task, Instant startTime) {
    return scheduler.schedule(named(task), startTime);
  }

  @Override
  public ScheduledFuture<?> scheduleAtFixedRate(Runnable task, Instant startTime, Duration period) {
    return scheduler.scheduleAtFixedRate(named(task), startTime, period);
  }

  @Override
  public ScheduledFuture<?> scheduleAtFixedRate(Runnable task, Duration period) {
    return scheduler.scheduleAtFixedRate(named(task), period);
  }

  @Override
  public ScheduledFuture<?> scheduleWithFixedDelay(Runnable task, Instant startTime, Duration delay) {
    return scheduler.scheduleWithFixedDelay(named(task), startTime, delay);
  }

  @Override
  public ScheduledFuture<?> scheduleWithFixedDelay(Runnable task, Duration delay) {
    return scheduler.scheduleWithFixedDelay(named(task), delay);
  }

  @Override
  public String toString() {
    return "JobNamingScheduler[" + scheduler + "]";
  }
}
