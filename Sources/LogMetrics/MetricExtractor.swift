import PCRE2

/// Applies MetricDefinitions to log lines with SageMaker's semantics: control bytes escaped first,
/// an unanchored byte-mode search per definition, the first match only, group 1 parsed as a float.
///
/// Owns one compiled regex (and its match data) per definition, so an instance belongs to one thread.
public final class MetricExtractor {
    public let definitions: [MetricDefinition]
    public private(set) var counters: [DefinitionCounters]
    private let regexes: [PCRE2Regex]
    private let prefilters: [RequiredLiteral?]
    private var scratch: [UInt8] = []

    public init(definitions: [MetricDefinition]) throws(MetricExtractorError) {
        self.definitions = definitions
        var compiled: [PCRE2Regex] = []
        for (i, d) in definitions.enumerated() {
            let re: PCRE2Regex
            do { re = try PCRE2Regex(d.regex) } catch {
                throw MetricExtractorError(index: i, name: d.name, reason: .doesNotCompile(error))
            }
            guard re.captureCount >= 1 else {
                throw MetricExtractorError(index: i, name: d.name, reason: .noCapturingGroup)
            }
            compiled.append(re)
        }
        regexes = compiled
        prefilters = definitions.map { RequiredLiteral(pattern: $0.regex) }
        counters = Array(repeating: DefinitionCounters(), count: definitions.count)
    }

    /// Extracts from one line (without its `\n`). `emit` gets the definition index and the value,
    /// in definition order.
    @inline(__always)
    public func extract(line: UnsafeRawBufferPointer, emit: (Int, Double) -> Void) {
        if ControlByteEscaper.needsEscaping(line) {
            scratch.removeAll(keepingCapacity: true)
            ControlByteEscaper.escape(line, into: &scratch)
            scratch.withUnsafeBytes { match($0, emit: emit) }
        } else {
            match(line, emit: emit)
        }
    }

    @inline(__always)
    private func match(_ subject: UnsafeRawBufferPointer, emit: (Int, Double) -> Void) {
        for i in 0..<regexes.count {
            if let literal = prefilters[i], !literal.occurs(in: subject) { continue }
            switch regexes[i].firstGroup(in: subject) {
            case .noMatch:
                continue
            case .groupUnset:
                counters[i].matches += 1
            case .error:
                counters[i].matchErrors += 1
            case .group(let range):
                counters[i].matches += 1
                let text = UnsafeRawBufferPointer(rebasing: subject[range])
                if let value = MetricValueParser.parse(text) {
                    counters[i].values += 1
                    emit(i, value)
                } else {
                    counters[i].parseFailures += 1
                }
            }
        }
    }

    /// Convenience for tests and lints: extracts from a line given as bytes.
    public func extract(line: [UInt8]) -> [(Int, Double)] {
        var out: [(Int, Double)] = []
        line.withUnsafeBytes { extract(line: $0) { out.append(($0, $1)) } }
        return out
    }
}
