/// The system profiler's samples (schema v2): smdebug system-metric records, one row each.
///
/// Writers resolve each series to its integer id once (`systemSeriesIDs`) and then append rows by
/// id, so the hot path binds three integers and a double per sample.

/// What identifies a system-metric series: the smdebug record's `NodeId`, `Type`, `Name` and
/// `Dimension` (e.g. `algo-1`, `cpu`, `cpu0`, `CPUUtilization`).
public struct SystemSeries: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var nodeID: String
    public var type: String
    public var name: String
    public var dimension: String

    public init(nodeID: String, type: String, name: String, dimension: String) {
        self.nodeID = nodeID
        self.type = type
        self.name = name
        self.dimension = dimension
    }

    public static func < (a: SystemSeries, b: SystemSeries) -> Bool {
        (a.nodeID, a.type, a.name, a.dimension) < (b.nodeID, b.type, b.name, b.dimension)
    }

    public var description: String { "\(nodeID) \(type)|\(name)|\(dimension)" }
}

/// One row to append: a series id from `systemSeriesIDs`, a time in epoch microseconds, a value.
public struct SystemSampleRow: Sendable, Equatable {
    public var seriesID: Int64
    public var timeUs: Int64
    public var value: Double

    public init(seriesID: Int64, timeUs: Int64, value: Double) {
        self.seriesID = seriesID
        self.timeUs = timeUs
        self.value = value
    }
}

/// One stored sample, read back with its series.
public struct StoredSystemSample: Sendable, Equatable {
    public var series: SystemSeries
    public var timeUs: Int64
    public var value: Double

    public init(series: SystemSeries, timeUs: Int64, value: Double) {
        self.series = series
        self.timeUs = timeUs
        self.value = value
    }
}

extension MetricStore {
    // MARK: Writing

    /// The id of each series, in the order given, creating the ones not yet stored.
    public func systemSeriesIDs(_ series: [SystemSeries]) throws(SQLiteError) -> [Int64] {
        try connection.transaction { () throws(SQLiteError) -> [Int64] in
            let insert = """
                INSERT INTO system_series (node_id, type, name, dimension) VALUES (?, ?, ?, ?)
                ON CONFLICT (node_id, type, name, dimension) DO NOTHING
                """
            let select = "SELECT id FROM system_series WHERE node_id = ? AND type = ? AND name = ? AND dimension = ?"
            var ids: [Int64] = []
            ids.reserveCapacity(series.count)
            for s in series {
                try connection.withStatement(insert) { (st: Statement) throws(SQLiteError) in
                    try Self.bind(s, to: st)
                    try st.run()
                    st.reset()
                }
                let id = try connection.withStatement(select) { (st: Statement) throws(SQLiteError) -> Int64 in
                    try Self.bind(s, to: st)
                    defer { st.reset() }
                    guard try st.step() else { throw .store("system series \(s) vanished", path: path) }
                    return st.int64(at: 0)
                }
                ids.append(id)
            }
            return ids
        }
    }

    private static func bind(_ s: SystemSeries, to st: Statement) throws(SQLiteError) {
        try st.bind(s.nodeID, at: 1)
        try st.bind(s.type, at: 2)
        try st.bind(s.name, at: 3)
        try st.bind(s.dimension, at: 4)
    }

    /// Appends rows in one transaction. NaN values are skipped (SQLite would store NULL). A second
    /// sample of a series at the same microsecond replaces the first.
    public func appendSystemSamples(_ rows: [SystemSampleRow]) throws(SQLiteError) {
        let rows = rows.filter { !$0.value.isNaN }
        guard !rows.isEmpty else { return }
        try connection.transaction { () throws(SQLiteError) in
            var start = 0
            while start < rows.count {
                let count = min(Self.rowsPerInsert, rows.count - start)
                let sql = count == Self.rowsPerInsert ? Self.fullSystemInsertSQL : Self.systemInsertSQL(rows: count)
                try connection.withStatement(sql) { (s: Statement) throws(SQLiteError) in
                    var column: Int32 = 1
                    for row in rows[start..<start + count] {
                        try s.bind(row.seriesID, at: column)
                        try s.bind(row.timeUs, at: column + 1)
                        try s.bind(row.value, at: column + 2)
                        column += 3
                    }
                    try s.run()
                    s.reset()
                }
                start += count
            }
        }
    }

    /// Convenience for callers that do not keep series ids: resolves them, then appends.
    public func appendSystemSamples(_ samples: [StoredSystemSample]) throws(SQLiteError) {
        var distinct: [SystemSeries] = []
        var index: [SystemSeries: Int] = [:]
        for s in samples where index[s.series] == nil {
            index[s.series] = distinct.count
            distinct.append(s.series)
        }
        let ids = try systemSeriesIDs(distinct)
        try appendSystemSamples(samples.map {
            SystemSampleRow(seriesID: ids[index[$0.series]!], timeUs: $0.timeUs, value: $0.value)
        })
    }

    private static func systemInsertSQL(rows: Int) -> String {
        "INSERT OR REPLACE INTO system_sample (series_id, time_us, value) VALUES "
            + Array(repeating: "(?, ?, ?)", count: rows).joined(separator: ", ")
    }

    private static let fullSystemInsertSQL = systemInsertSQL(rows: rowsPerInsert)

    // MARK: Reading

    /// Every stored series, sorted.
    public func systemSeries() throws(SQLiteError) -> [SystemSeries] {
        let sql = "SELECT node_id, type, name, dimension FROM system_series ORDER BY node_id, type, name, dimension"
        return try connection.withStatement(sql) { (s: Statement) throws(SQLiteError) in
            var result: [SystemSeries] = []
            while try s.step() {
                result.append(SystemSeries(nodeID: s.string(at: 0), type: s.string(at: 1), name: s.string(at: 2),
                                           dimension: s.string(at: 3)))
            }
            return result
        }
    }

    /// Samples in time order (then by series), all of them or those of one series.
    public func systemSamples(series: SystemSeries? = nil) throws(SQLiteError) -> [StoredSystemSample] {
        var sql = """
            SELECT r.node_id, r.type, r.name, r.dimension, s.time_us, s.value
            FROM system_series r CROSS JOIN system_sample s ON s.series_id = r.id
            """
        if series != nil { sql += " WHERE r.node_id = ? AND r.type = ? AND r.name = ? AND r.dimension = ?" }
        sql += " ORDER BY s.time_us, r.node_id, r.type, r.name, r.dimension"
        return try connection.withStatement(sql) { (s: Statement) throws(SQLiteError) in
            if let series { try Self.bind(series, to: s) }
            var result: [StoredSystemSample] = []
            while try s.step() {
                result.append(StoredSystemSample(
                    series: SystemSeries(nodeID: s.string(at: 0), type: s.string(at: 1), name: s.string(at: 2),
                                         dimension: s.string(at: 3)),
                    timeUs: s.int64(at: 4), value: s.double(at: 5)))
            }
            return result
        }
    }

    /// How many samples each series holds.
    public func systemSampleCounts() throws(SQLiteError) -> [SystemSeries: Int64] {
        let sql = """
            SELECT r.node_id, r.type, r.name, r.dimension, COUNT(*)
            FROM system_series r CROSS JOIN system_sample s ON s.series_id = r.id
            GROUP BY r.id
            """
        return try connection.withStatement(sql) { (s: Statement) throws(SQLiteError) in
            var result: [SystemSeries: Int64] = [:]
            while try s.step() {
                result[SystemSeries(nodeID: s.string(at: 0), type: s.string(at: 1), name: s.string(at: 2),
                                    dimension: s.string(at: 3))] = s.int64(at: 4)
            }
            return result
        }
    }
}
