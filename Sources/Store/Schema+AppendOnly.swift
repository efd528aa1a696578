extension Schema {
    /// v4: samples go to an append-only rowid table, and each metric's last sample and count live on
    /// its `metric` row.
    ///
    /// Why: v1's `sample` was keyed (metric_id, seq) WITHOUT ROWID. A log interleaves its metrics, so
    /// every batch inserted into a dozen places in that B-tree and split pages at each; SQLite took
    /// about 0.7 M rows/s here, a third of what extraction produces, and a fast log fell behind. An
    /// append-only table takes rows at the right edge of one B-tree (4 M rows/s in the same test),
    /// and the per-metric reads (`finalMetrics`, `lastSeq`, `sampleCount`) read the dozen `metric`
    /// rows instead of probing samples.
    ///
    /// What the key did is now done by `MetricStore.append`, in the same transaction: a sample's seq
    /// must be above its metric's `last_seq` (so a batch written twice is refused, which is what
    /// exactly-once resume rests on), its metric and source must exist (foreign keys cost a probe
    /// per row, a quarter of the insert rate, and are checked once per batch instead).
    ///
    /// `last_value` has no declared type, like `sample.value` (see v1); `last_is_nan` marks NaN.
    static let v4AppendOnlySamples = """
        CREATE TABLE sample_v4 (
            id INTEGER PRIMARY KEY,
            metric_id INTEGER NOT NULL,
            seq INTEGER NOT NULL,
            time_ms INTEGER NOT NULL,
            value /* no type: see v1 */,
            is_nan INTEGER NOT NULL DEFAULT 0,
            stream INTEGER NOT NULL,
            line INTEGER NOT NULL,
            source_id INTEGER
        );
        INSERT INTO sample_v4 (metric_id, seq, time_ms, value, is_nan, stream, line, source_id)
            SELECT metric_id, seq, time_ms, value, is_nan, stream, line, source_id FROM sample ORDER BY metric_id, seq;
        ALTER TABLE metric ADD COLUMN last_seq INTEGER;
        ALTER TABLE metric ADD COLUMN last_time_ms INTEGER;
        ALTER TABLE metric ADD COLUMN last_value /* no type: see v1 */;
        ALTER TABLE metric ADD COLUMN last_is_nan INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE metric ADD COLUMN sample_count INTEGER NOT NULL DEFAULT 0;
        UPDATE metric SET
            last_seq = (SELECT MAX(seq) FROM sample WHERE metric_id = metric.id),
            sample_count = (SELECT COUNT(*) FROM sample WHERE metric_id = metric.id);
        UPDATE metric SET
            last_time_ms = (SELECT time_ms FROM sample WHERE metric_id = metric.id AND seq = metric.last_seq),
            last_value = (SELECT value FROM sample WHERE metric_id = metric.id AND seq = metric.last_seq),
            last_is_nan = (SELECT is_nan FROM sample WHERE metric_id = metric.id AND seq = metric.last_seq)
        WHERE last_seq IS NOT NULL;
        DROP TABLE sample;
        ALTER TABLE sample_v4 RENAME TO sample;
        """
}
