/// How a log file's lines are framed.
public enum LogFormat: String, Sendable, Hashable, CaseIterable {
    /// Each line is a line of the program's output.
    case plain
    /// Kubernetes CRI: `<time> <stream> <P|F> <message>` (`CRIRecordParser`).
    case cri
    /// Docker json-file: one JSON object per line (`DockerJSONRecordParser`).
    case docker
}

/// Tells the format of a log file from its first line (`--format auto`).
public enum LogFormatDetector {
    /// `.docker` when the line starts with `{` and is a Docker record, `.cri` when it is a CRI record,
    /// else `.plain` (including an empty line: nothing to tell from).
    public static func detect(firstLine line: UnsafeRawBufferPointer) -> LogFormat {
        guard line.count > 0 else { return .plain }
        if line[0] == UInt8(ascii: "{") {
            var scratch: [UInt8] = []
            if (try? DockerJSONRecordParser.parse(line, message: &scratch)) != nil { return .docker }
        }
        if (try? CRIRecordParser.parse(line)) != nil { return .cri }
        return .plain
    }

    public static func detect(firstLine line: [UInt8]) -> LogFormat {
        line.withUnsafeBytes { detect(firstLine: $0) }
    }
}
