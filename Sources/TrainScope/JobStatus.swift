import LogSources

/// How a run ended, in DescribeTrainingJob's vocabulary.
struct JobOutcome: Equatable {
    var status: String
    var secondaryStatus: String
    var failureReason: String?
    var message: String

    /// Why the child stopped decides the status: a stop we asked for (a forwarded signal, the runtime
    /// limit) is Stopped whatever the exit code, as StopTrainingJob is on SageMaker.
    static func from(_ termination: ChildProcess.Termination, stopRequested: Bool, maxRuntimeExceeded: Bool) -> JobOutcome {
        if maxRuntimeExceeded {
            return JobOutcome(status: "Stopped", secondaryStatus: "MaxRuntimeExceeded", failureReason: nil,
                              message: "Training job stopped: MaxRuntimeInSeconds exceeded.")
        }
        if stopRequested {
            return JobOutcome(status: "Stopped", secondaryStatus: "Stopped", failureReason: nil,
                              message: "Training job stopped by a signal.")
        }
        switch termination {
        case .exited(0):
            return JobOutcome(status: "Completed", secondaryStatus: "Completed", failureReason: nil,
                              message: "Training job completed")
        case .exited(let code):
            return JobOutcome(status: "Failed", secondaryStatus: "Failed",
                              failureReason: "AlgorithmError: training process exited with code \(code)",
                              message: "Training job failed")
        case .signaled(let signal):
            return JobOutcome(status: "Failed", secondaryStatus: "Failed",
                              failureReason: "AlgorithmError: training process killed by signal \(signal) (\(signalName(signal))), exit code \(128 + signal)",
                              message: "Training job failed")
        }
    }

    static func signalName(_ s: Int32) -> String {
        switch s {
        case 1: "SIGHUP"
        case 2: "SIGINT"
        case 3: "SIGQUIT"
        case 6: "SIGABRT"
        case 9: "SIGKILL"
        case 11: "SIGSEGV"
        case 13: "SIGPIPE"
        case 15: "SIGTERM"
        default: "signal \(s)"
        }
    }
}
