import Exposition
import Foundation
import JobSpec
import Logging
import Synchronization
import TensorIO

/// Watches the Debugger trial directory (DebugHookConfig.LocalPath, re-rooted) inside `run` and
/// `tail`, whoever writes it: smdebug's own hook in the training process (which finds the folder in
/// the debughookconfig.json that `run` writes), or trainscope's ingestion API. Steps, workers and
/// the latest value of each scalar tensor join `/metrics` as `trainscope_trial_*`, so a dashboard
/// shows the loss the hook saved beside the loss the log printed.
final class TrialWatcher: Sendable {
    let directory: String
    private let labels: [(String, String)]
    private let progress: Mutex<TrialProgressBox>
    private let logger: Logger

    /// `TrialProgress` is a class owned by the mutex: only touched with the lock held.
    private struct TrialProgressBox: @unchecked Sendable {
        let progress: TrialProgress
        var lastProblem: String?
    }

    init(directory: String, jobName: String, hostID: String, configuration: TrialProgress.Configuration = .init(), logger: Logger) {
        self.directory = directory
        labels = [("host", hostID), ("training_job", jobName)]
        progress = Mutex(TrialProgressBox(progress: TrialProgress(directory: directory, configuration: configuration)))
        self.logger = logger
    }

    /// The trial folder of the job's DebugHookConfig under `mlRoot`, or `override`; nil without a
    /// DebugHookConfig (and no override).
    static func make(spec: TrainingJobSpec, mlRoot: String, override: String?, hostID: String, logger: Logger) -> TrialWatcher? {
        guard let directory = override ?? DebuggerContainerConfig.tensorDirectory(request: spec.request, mlRoot: mlRoot) else { return nil }
        return TrialWatcher(directory: directory, jobName: spec.name, hostID: hostID, logger: logger)
    }

    /// Reads what the hook wrote since the last call; a new kind of problem is logged once.
    func poll() {
        let problem: String? = progress.withLock { box in
            box.progress.refresh()
            let p = box.progress.lastProblem
            defer { box.lastProblem = p }
            return p != box.lastProblem ? p : nil
        }
        if let problem { logger.warning("trial \(directory): \(problem)") }
    }

    /// Polls every `interval` until cancelled, and once more at the end (the hook's last steps).
    func run(every interval: Duration = .seconds(1)) -> Task<Void, Never> {
        Task {
            while !Task.isCancelled {
                poll()
                try? await Task.sleep(for: interval)
            }
            poll()
        }
    }

    func families() -> [MetricFamily] {
        progress.withLock { box in
            let p = box.progress
            func gauge(_ name: String, _ help: String, _ series: [MetricFamily.Series]) -> MetricFamily {
                MetricFamily(name: name, help: help, kind: .gauge, series: series)
            }
            func one(_ value: Int) -> [MetricFamily.Series] { [.init(labels: labels, value: .integer(Int64(value)))] }
            var lastStep = MetricFamily(name: "trainscope_trial_last_step", kind: .gauge,
                                        help: "Last complete step of the Debugger trial: the global step (mode GLOBAL) and each mode's own step.")
            if let step = p.lastStep { lastStep.series.append(.init(labels: labels + [("mode", "GLOBAL")], value: .integer(step))) }
            for (mode, step) in p.lastModeStep.sorted(by: { $0.key.rawValue < $1.key.rawValue }) where mode != .global {
                lastStep.series.append(.init(labels: labels + [("mode", mode.rawValue)], value: .integer(step)))
            }
            var value = MetricFamily(name: "trainscope_trial_scalar", kind: .gauge,
                                     help: "Latest saved value of each one-element tensor in the Debugger trial (losses, metrics), per worker and mode.")
            var at = MetricFamily(name: "trainscope_trial_scalar_step", kind: .gauge,
                                  help: "Mode step at which trainscope_trial_scalar's value was saved.")
            for s in p.latestScalars {
                let l = labels + [("tensor", s.tensor), ("worker", s.worker), ("mode", s.mode.rawValue)]
                value.series.append(.init(labels: l, value: .double(s.value)))
                at.series.append(.init(labels: l, value: .integer(s.modeStep)))
            }
            return [
                gauge("trainscope_trial_ended", "1 once the Debugger trial's end marker (training_job_end.ts) exists.", one(p.hasEnded ? 1 : 0)),
                lastStep,
                value,
                at,
                MetricFamily(name: "trainscope_trial_scalars_dropped_total", help: "Scalar values not exposed because the cap on distinct scalars was reached.",
                             kind: .counter, series: one(p.scalarsDropped)),
                MetricFamily(name: "trainscope_trial_steps_total", help: "Steps of the Debugger trial complete so far (every worker wrote them, or a later step is complete).",
                             kind: .counter, series: one(p.completeSteps)),
                gauge("trainscope_trial_tensors", "Distinct tensor names in the Debugger trial.", one(p.tensorCount)),
                gauge("trainscope_trial_unreadable_index_files", "Index files of the Debugger trial that do not parse (retried).", one(p.unreadableIndexFiles.count)),
                MetricFamily(name: "trainscope_trial_unreadable_records_total", help: "Scalar tensor records of the Debugger trial that could not be read.",
                             kind: .counter, series: one(p.unreadableRecords)),
                gauge("trainscope_trial_workers", "Workers declared by the Debugger trial's collections files.", one(p.numWorkers)),
            ]
        }
    }
}

extension MetricFamily {
    fileprivate init(name: String, kind: Kind, help: String) {
        self.init(name: name, help: help, kind: kind, series: [])
    }
}
