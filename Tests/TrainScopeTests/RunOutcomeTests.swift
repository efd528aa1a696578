import Testing
import LogSources
@testable import TrainScope

@Suite struct RunOutcomeTests {
    @Test func statusFollowsHowTheChildEnded() {
        #expect(JobOutcome.from(.exited(0), stopRequested: false, maxRuntimeExceeded: false).status == "Completed")
        let failed = JobOutcome.from(.exited(3), stopRequested: false, maxRuntimeExceeded: false)
        #expect(failed.status == "Failed" && failed.failureReason == "AlgorithmError: training process exited with code 3")
        let killed = JobOutcome.from(.signaled(9), stopRequested: false, maxRuntimeExceeded: false)
        #expect(killed.failureReason?.contains("signal 9 (SIGKILL), exit code 137") == true)
    }

    /// A stop we asked for is Stopped whatever the exit code, as StopTrainingJob is.
    @Test func requestedStopsAreStopped() {
        let stopped = JobOutcome.from(.exited(143), stopRequested: true, maxRuntimeExceeded: false)
        #expect(stopped.status == "Stopped" && stopped.secondaryStatus == "Stopped" && stopped.failureReason == nil)
        let limit = JobOutcome.from(.signaled(9), stopRequested: false, maxRuntimeExceeded: true)
        #expect(limit.status == "Stopped" && limit.secondaryStatus == "MaxRuntimeExceeded")
    }

    @Test func exitStatusIs128PlusSignal() {
        #expect(ChildProcess.Termination.signaled(15).exitStatus == 143)
        #expect(ChildProcess.Termination.exited(7).exitStatus == 7)
    }

    @Test(arguments: [("127.0.0.1:9478", "127.0.0.1", 9478), (":0", "127.0.0.1", 0), ("[::1]:80", "::1", 80),
                      ("0.0.0.0:9100", "0.0.0.0", 9100)])
    func listenAddresses(text: String, host: String, port: Int) throws {
        #expect(try ListenAddress.parse(text) == ListenAddress(host: host, port: port))
    }

    @Test(arguments: ["9478", "host:", "host:70000", "::1:80", "[::1]80", "a:b"])
    func badListenAddresses(text: String) {
        #expect(throws: ListenAddress.ParseError.self) { try ListenAddress.parse(text) }
    }

    @Test func childEnvironmentAddsUnbufferedUnlessSet() {
        let env = ChildProcess.environment(base: ["PATH": "/bin"], job: [(key: "A", value: "1")])
        #expect(env == ["A=1", "PATH=/bin", "PYTHONUNBUFFERED=1"])
        let kept = ChildProcess.environment(base: ["PYTHONUNBUFFERED": "0"], job: [])
        #expect(kept == ["PYTHONUNBUFFERED=0"])
        let jobWins = ChildProcess.environment(base: ["A": "base"], job: [(key: "A", value: "job")])
        #expect(jobWins.contains("A=job"))
    }
}
