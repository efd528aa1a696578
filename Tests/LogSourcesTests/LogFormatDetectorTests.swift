import Testing
import LogSources

@Suite struct LogFormatDetectorTests {
    @Test(arguments: [
        (#"{"log":"hello\n","stream":"stdout","time":"2024-01-01T00:00:00Z"}"#, LogFormat.docker),
        (#"{"log":"partial","stream":"stderr","time":"2024-01-01T00:00:00.1Z"}"#, .docker),
        ("2016-10-06T00:17:09.669794202Z stdout F hello", .cri),
        ("2016-10-06T00:17:09.669794202Z stderr P ", .cri),
        ("2016-10-06T00:17:09+02:00 stdout F:x hello", .cri),
        ("epoch 1 loss=0.5", .plain),
        ("", .plain),
        (#"{"loss": 0.5, "step": 1}"#, .plain),
        (#"{"log":"cut off"#, .plain),
        ("2016-10-06T00:17:09Z INFO starting", .plain),
        ("2016-10-06 00:17:09 stdout F hello", .plain),
        (#"[{"log":"x\n"}]"#, .plain),
    ])
    func detects(_ line: String, _ format: LogFormat) {
        #expect(LogFormatDetector.detect(firstLine: Array(line.utf8)) == format)
    }
}
