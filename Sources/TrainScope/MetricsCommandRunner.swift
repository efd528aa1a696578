import Foundation
import LogSources
import Store

/// `trainscope metrics`: the stored time series, one row per value, like the SDK's TrainingJobAnalytics
/// (timestamp, metric_name, value) but at full resolution instead of one-minute averages.
public enum MetricsCommandRunner {
    public static func run(databasePath: String, name: String?, jsonLines: Bool, output: Int32 = 1,
                           diagnostics: (String) -> Void) -> Int32 {
        var buffer: [UInt8] = []
        var failed = false
        func flush() {
            if !failed { failed = !buffer.withUnsafeBytes { writeAll(output, $0) } }
            buffer.removeAll(keepingCapacity: true)
        }
        do {
            let store = try MetricStore.openReadOnly(path: databasePath)
            if let name, !(try store.definitions().contains { $0.name == name }) {
                diagnostics("error: no metric named \(name.debugDescription) in \(databasePath)")
                return 1
            }
            // A tail job's values come from several files: say which.
            let withSource = try store.hasSources()
            if !jsonLines { buffer.append(contentsOf: (withSource ? "timestamp,metric_name,value,source\n" : "timestamp,metric_name,value\n").utf8) }
            try store.forEachSample(metricName: name) { s in
                let seconds = Double(s.timeMs) / 1000
                let value = s.value.isNaN ? "NaN" : s.value == .infinity ? "Infinity" : s.value == -.infinity ? "-Infinity" : s.value.description
                if jsonLines {
                    let v = s.value.isFinite ? value : "\"\(value)\""
                    let source = withSource ? ", \"source\": \((s.source ?? "").jsonQuoted)" : ""
                    buffer.append(contentsOf: "{\"timestamp\": \(seconds), \"metric_name\": \(s.metricName.jsonQuoted), \"value\": \(v)\(source)}\n".utf8)
                } else {
                    let source = withSource ? ",\(csvField(s.source ?? ""))" : ""
                    buffer.append(contentsOf: "\(seconds),\(csvField(s.metricName)),\(value)\(source)\n".utf8)
                }
                if buffer.count > 1 << 16 { flush() }
            }
            flush()
            return failed ? 1 : 0
        } catch {
            diagnostics("error: \(error)")
            return 1
        }
    }

    static func csvField(_ s: String) -> String {
        guard s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return s }
        return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
