import Store
import Testing
import TrainScopeTesting

@Suite struct SystemSampleStoreTests {
    static let cpu0 = SystemSeries(nodeID: "algo-1", type: "cpu", name: "cpu0", dimension: "CPUUtilization")
    static let memory = SystemSeries(nodeID: "algo-1", type: "memory", name: "MemoryUsedPercent", dimension: "")

    @Test func seriesIDsAreStableAndSamplesReadBackInTimeOrder() throws {
        let fixture = StoreFixture()
        let store = try MetricStore(path: fixture.path)
        let ids = try store.systemSeriesIDs([Self.cpu0, Self.memory])
        #expect(try store.systemSeriesIDs([Self.memory, Self.cpu0]) == [ids[1], ids[0]])
        // 130 rows: more than one multi-row INSERT.
        var rows: [SystemSampleRow] = []
        for k in 0..<65 {
            rows.append(SystemSampleRow(seriesID: ids[0], timeUs: 1_700_000_000_000_000 + Int64(k) * 100_000, value: Double(k)))
            rows.append(SystemSampleRow(seriesID: ids[1], timeUs: 1_700_000_000_000_000 + Int64(k) * 100_000, value: 0.5))
        }
        rows.append(SystemSampleRow(seriesID: ids[1], timeUs: 1, value: .nan))
        try store.appendSystemSamples(rows)
        #expect(try store.systemSeries() == [Self.cpu0, Self.memory])
        #expect(try store.systemSampleCounts() == [Self.cpu0: 65, Self.memory: 65])
        let cpu = try store.systemSamples(series: Self.cpu0)
        #expect(cpu.map(\.value) == (0..<65).map(Double.init))
        #expect(cpu.first?.timeUs == 1_700_000_000_000_000)
        let all = try store.systemSamples()
        #expect(all.count == 130)
        #expect(all.prefix(2).map(\.series) == [Self.cpu0, Self.memory])
    }

    @Test func convenienceAppendResolvesSeriesAndReadOnlyOpenSeesIt() throws {
        let fixture = StoreFixture()
        let store = try MetricStore(path: fixture.path)
        try store.startJob(StoreFixture.job(), definitions: StoreFixture.definitions)
        try store.appendSystemSamples([StoredSystemSample(series: Self.memory, timeUs: 5, value: 42.25)])
        let reader = try MetricStore.openReadOnly(path: fixture.path)
        #expect(try reader.systemSamples() == [StoredSystemSample(series: Self.memory, timeUs: 5, value: 42.25)])
    }
}
