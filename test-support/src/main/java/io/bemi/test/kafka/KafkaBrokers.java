package io.bemi.test.kafka;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import kafka.server.BrokerServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/**
 * Apache Kafka in KRaft mode inside the test JVM, on loopback ports: one controller and
 * {@code brokers} brokers, from Kafka's own Maven Central artifacts (no Docker). Topics default
 * to as many replicas as there are brokers (at most 3) and {@code min.insync.replicas} one less,
 * so a cluster of three keeps accepting transactional writes while one broker is down.
 *
 * <p>Modules that use it declare {@code org.apache.kafka:kafka_2.13} and
 * {@code kafka-test-common-runtime} in test scope (this module has them as optional).
 */
public final class KafkaBrokers implements AutoCloseable {

  private final KafkaClusterTestKit cluster;
  private final int brokers;

  private KafkaBrokers(KafkaClusterTestKit cluster, int brokers) {
    this.cluster = cluster;
    this.brokers = brokers;
  }

  /** Formats and starts a cluster of {@code brokers} brokers and waits until they serve requests. */
  public static KafkaBrokers start(int brokers) {
    int replicas = Math.min(3, brokers);
    try {
      TestKitNodes nodes = new TestKitNodes.Builder().setNumBrokerNodes(brokers).setNumControllerNodes(1).build();
      KafkaClusterTestKit cluster = new KafkaClusterTestKit.Builder(nodes)
          .setConfigProp("offsets.topic.replication.factor", String.valueOf(replicas))
          .setConfigProp("offsets.topic.num.partitions", "4")
          .setConfigProp("transaction.state.log.replication.factor", String.valueOf(replicas))
          .setConfigProp("transaction.state.log.min.isr", String.valueOf(Math.max(1, replicas - 1)))
          .setConfigProp("transaction.state.log.num.partitions", "4")
          .setConfigProp("default.replication.factor", String.valueOf(replicas))
          .setConfigProp("min.insync.replicas", String.valueOf(Math.max(1, replicas - 1)))
          .setConfigProp("num.partitions", "3")
          .setConfigProp("group.initial.rebalance.delay.ms", "0")
          .setConfigProp("log.flush.interval.messages", "1") // a broker shut down uncleanly still has its log
          .build();
      cluster.format();
      cluster.startup();
      cluster.waitForReadyBrokers();
      return new KafkaBrokers(cluster, brokers);
    } catch (Exception e) {
      throw new IllegalStateException("Cannot start a " + brokers + "-broker KRaft cluster: " + e, e);
    }
  }

  /** {@code host:port,…} for {@code bootstrap.servers}. */
  public String bootstrapServers() {
    return cluster.bootstrapServers();
  }

  /** The broker ids, in order. */
  public List<Integer> brokerIds() {
    return new ArrayList<>(cluster.brokers().keySet());
  }

  /** Creates topics with {@code partitions} partitions each (replicas as the cluster's default). */
  public void createTopics(int partitions, String... topics) {
    try (Admin admin = cluster.admin()) {
      List<NewTopic> newTopics = new ArrayList<>();
      for (String topic : topics) {
        newTopics.add(new NewTopic(topic, java.util.Optional.of(partitions), java.util.Optional.empty()));
      }
      admin.createTopics(newTopics).all().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("Cannot create topics " + List.of(topics) + ": " + e, e);
    }
  }

  /** The topics that exist now (internal ones excluded). */
  public Set<String> topics() {
    try (Admin admin = cluster.admin()) {
      return admin.listTopics().names().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("Cannot list topics: " + e, e);
    }
  }

  /** Stops one broker (its partitions' leadership moves to the others); {@link #startBroker} brings it back. */
  public void stopBroker(int id) {
    BrokerServer broker = broker(id);
    broker.shutdown();
    broker.awaitShutdown();
  }

  public void startBroker(int id) {
    broker(id).startup();
  }

  private BrokerServer broker(int id) {
    Map<Integer, BrokerServer> all = cluster.brokers();
    BrokerServer broker = all.get(id);
    if (broker == null) {
      throw new IllegalArgumentException("No broker " + id + "; the cluster has " + all.keySet());
    }
    return broker;
  }

  public int size() {
    return brokers;
  }

  @Override
  public void close() throws Exception {
    cluster.close();
  }

  @Override
  public String toString() {
    return "KafkaBrokers[" + brokers + " at " + bootstrapServers() + "]";
  }
}
