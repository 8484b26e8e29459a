package io.bemi.ingester;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ByteBudgetTest {

  @Test
  void itemsPassWhileTheyFitAndAnItemLargerThanTheWholeLimitPassesAlone() throws Exception {
    ByteBudget budget = new ByteBudget(100);
    assertThat(budget.take(60, 0)).isTrue();
    assertThat(budget.take(40, 0)).isTrue();
    assertThat(budget.take(1, 0)).isFalse();
    budget.release(100);
    assertThat(budget.take(500, 0)).as("alone, larger than the limit").isTrue();
    assertThat(budget.take(1, 0)).isFalse();
  }

  @Test
  void aWaitingTakeGoesOnAsSoonAsRoomIsReleased() throws Exception {
    ByteBudget budget = new ByteBudget(100);
    budget.take(100, 0);
    CompletableFuture<Boolean> waiting = CompletableFuture.supplyAsync(() -> {
      try {
        return budget.take(50, 10_000);
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
    });
    Thread.sleep(100);
    assertThat(waiting).isNotDone();
    long released = System.nanoTime();
    budget.release(100);
    assertThat(waiting.get(5, TimeUnit.SECONDS)).isTrue();
    assertThat(System.nanoTime() - released).isLessThan(TimeUnit.SECONDS.toNanos(2));
  }

  @Test
  void noLimitLetsEverythingPass() throws Exception {
    ByteBudget budget = new ByteBudget(0);
    assertThat(budget.take(Long.MAX_VALUE / 2, 0)).isTrue();
    assertThat(budget.take(Long.MAX_VALUE / 4, 0)).isTrue();
  }
}
