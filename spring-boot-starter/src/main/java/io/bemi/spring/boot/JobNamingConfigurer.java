package io.bemi.spring.boot;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.core.Ordered;
import org.springframework.scheduling.TaskScheduler;
import org.springframework.scheduling.annotation.SchedulingConfigurer;
import org.springframework.scheduling.config.ScheduledTaskRegistrar;

/**
 * Puts a {@link JobNamingScheduler} in front of the scheduler that runs {@code @Scheduled} methods:
 * the one another configurer chose, else the application's TaskScheduler bean (Boot creates one
 * with {@code @EnableScheduling}). Runs last so it wraps whatever the application configured; the
 * scheduler bean itself is left alone (its lifecycle stays Spring's).
 */
final class JobNamingConfigurer implements SchedulingConfigurer, Ordered {

  private final ObjectProvider<TaskScheduler> schedulers;
  private final BemiCounts counts;

  JobNamingConfigurer(ObjectProvider<TaskScheduler> schedulers, BemiCounts counts) {
    this.schedulers = schedulers;
    this.counts = counts;
  }

  @Override
  public void configureTasks(ScheduledTaskRegistrar registrar) {
    TaskScheduler scheduler = registrar.getScheduler();
    if (scheduler == null) {
      scheduler = schedulers.getIfUnique();
    }
    if (scheduler != null && !(scheduler instanceof JobNamingScheduler)) {
      registrar.setTaskScheduler(new JobNamingScheduler(scheduler, counts));
    }
  }

  @Override
  public int getOrder() {
    return Ordered.LOWEST_PRECEDENCE;
  }
}
