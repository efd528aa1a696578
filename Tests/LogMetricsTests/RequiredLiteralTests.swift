import Testing
@testable import LogMetrics

@Suite struct RequiredLiteralTests {
    @Test(arguments: [
        (".*\\[[0-9]+\\].*#011train-rmse:([-+]?[0-9]*\\.?[0-9]+(?:[eE][-+]?[0-9]+)?).*", "#011train-rmse:"),
        ("throughput=([0-9\\.]+) samples/s", "throughput="),
        ("'eval_samples_per_second': ([0-9\\.]+)", "'eval_samples_per_second': "),
        ("(?<!val_)accuracy: ([0-9\\.]+)", "accuracy: "),
        ("grad_norm'?[:=] ?([^,}\\s]+)", "grad_norm"),
        ("loss+=(\\d)", "loss"),
    ])
    func findsTheLongestRequiredRun(pattern: String, literal: String) {
        #expect(RequiredLiteral(pattern: pattern)?.bytes == Array(literal.utf8))
    }

    @Test(arguments: ["(?i)loss=(\\d+)", "a=(\\d)|loss=(\\d)", "\\Qloss\\E=(\\d)", "lo{2}ss=(\\d)", "(*CR)loss=(\\d)",
                      "(?:'loss': |\\bloss=| - loss: )([0-9.]+)", "x\\x41yz=(\\d)", "a=(\\d)"])
    func declinesWhatItDoesNotFullyUnderstand(pattern: String) {
        #expect(RequiredLiteral(pattern: pattern) == nil)
    }

    @Test func occursFindsTheLiteralAnywhere() throws {
        let lit = try #require(RequiredLiteral(pattern: "train-rmse:(\\S+)"))
        for text in ["train-rmse:1", "xx train-rmse:", "train-rmsetrain-rmse:"] {
            #expect(Array(text.utf8).withUnsafeBytes { lit.occurs(in: $0) }, "\(text)")
        }
        for text in ["train-rmse", "rain-rmse:", "", "train_rmse:"] {
            #expect(!Array(text.utf8).withUnsafeBytes { lit.occurs(in: $0) }, "\(text)")
        }
    }
}
