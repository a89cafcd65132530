package io.opampfleet.harness.loadtest;

import java.util.Map;

/**
 * What a worker's agents went through in the last second: counts, histograms (HdrHistogram's
 * compressed encoding, in base64) and agents per tick since the rollout's start, all as increments,
 * so the coordinator's sums are exact; first and last connection in epoch microseconds (0: none).
 */
record TimelineDelta(long connected, long reconnected, long received, long applied, long failed, Map<String, String> histograms,
    long firstConnectMicros, long lastConnectMicros, Map<Integer, Long> receivedPerTick,
    Map<Integer, Long> appliedPerTick, Map<Integer, Long> failedPerTick, Map<String, Long> errors,
    long heapBytesPerAgent) {}
