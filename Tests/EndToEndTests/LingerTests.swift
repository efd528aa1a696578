#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
import TrainScopeTesting

/// With --linger, the endpoint outlives the job so the scrape after the last value still sees it,
/// and a stop signal ends the wait.
@Suite(.serialized) struct LingerTests {
    @Test func finalValuesStayScrapableUntilASignal() throws {
        let dir = TemporaryDirectory(prefix: "e2e-linger")
        let job = try RunCommandTests.writeJob(in: dir, name: "e2e-linger")
        let run = try RunningTrainscope(["run", "--job", job, "--ml-root", dir.file("ml"), "--listen", "127.0.0.1:0",
                                         "--linger", "60", "--", "python3", "-c", "print('loss=0.25')"], in: dir)
        defer { run.killTree() }
        let port = try run.metricsPort()
        var samples: [ExposedSample] = []
        let completed = try poll(timeout: 15) {
            samples = Exposed.parse(try HTTP.get(port: port, path: "/metrics").text)
            return Exposed.value(samples, "trainscope_training_job_status", ["status": "Completed"]) == "1"
        }
        #expect(completed, "the job never showed Completed on /metrics: \(run.stderr)")
        #expect(Exposed.value(samples, "trainscope_training_metric", ["metric": "train:loss"]) == "0.25")
        #expect(run.process.isRunning, "trainscope should still be serving")
        run.signal(SIGTERM)
        let status = try run.waitForExit(timeout: 10)
        #expect(status == 0, "the child's exit status, not the signal's: \(run.stderr)")
        #expect(run.elapsed < 30)
    }
}
