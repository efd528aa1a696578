extension Schema {
    /// v2: the system profiler's samples (ProfilerConfig), one row per smdebug system-metric record.
    ///
    /// - `system_series` names each series as smdebug's record does (`Type`, `Name`, `Dimension`,
    ///   `NodeId`), so a row per sample carries only an integer key, a time and a value.
    /// - Times are Unix epoch **microseconds** (`time_us`), unlike v1's milliseconds: the smdebug
    ///   files carry the sample time to the microsecond, and the store keeps exactly what they say.
    /// - `value` has no declared type, for the reason `sample.value` has none. NaN is never stored
    ///   (`appendSystemSamples` skips it; the collectors do not produce it).
    /// - `(series_id, time_us)` is the key: reading one series over time walks one B-tree range.
    static let v2SystemMetrics = """
        CREATE TABLE system_series (
            id INTEGER PRIMARY KEY,
            node_id TEXT NOT NULL,
            type TEXT NOT NULL,
            name TEXT NOT NULL,
            dimension TEXT NOT NULL,
            UNIQUE (node_id, type, name, dimension)
        );
        CREATE TABLE system_sample (
            series_id INTEGER NOT NULL REFERENCES system_series(id),
            time_us INTEGER NOT NULL,
            value /* no type, as sample.value */ NOT NULL,
            PRIMARY KEY (series_id, time_us)
        ) WITHOUT ROWID;
        """
}
