/// One Prometheus metric family: the unit the text format's HELP and TYPE lines describe.
public struct MetricFamily: Sendable, Equatable {
    public enum Kind: String, Sendable { case counter, gauge, untyped }

    public struct Series: Sendable, Equatable {
        public var labels: [(String, String)]
        public var value: Value
        public init(labels: [(String, String)], value: Value) {
            self.labels = labels
            self.value = value
        }
        public static func == (a: Series, b: Series) -> Bool {
            a.value == b.value && a.labels.elementsEqual(b.labels) { $0 == $1 }
        }
    }

    /// Counters are exact integers; gauges carry a Double that may be NaN or infinite.
    public enum Value: Sendable, Equatable {
        case integer(Int64)
        case double(Double)
        public static func == (a: Value, b: Value) -> Bool {
            switch (a, b) {
            case (.integer(let x), .integer(let y)): x == y
            case (.double(let x), .double(let y)): x.bitPattern == y.bitPattern || x == y
            default: false
            }
        }
    }

    public var name: String
    public var help: String
    public var kind: Kind
    public var series: [Series]

    public init(name: String, help: String, kind: Kind, series: [Series] = []) {
        self.name = name
        self.help = help
        self.kind = kind
        self.series = series
    }
}
