import Foundation

/// Where each worker of an existing trial got to: its last written global step, and for each mode
/// the last global step and mode step. A writer started again on the trial (a sidecar restarted
/// while training goes on) continues from here, so it neither writes a step twice nor counts a
/// mode's steps from 0 again.
public struct TrialResumePoint: Sendable, Equatable {
    public struct Worker: Sendable, Equatable {
        public var lastStep: Int64
        /// mode → (global step, mode step) of that mode's latest step.
        public var modes: [TrainingMode: ModeStep]
    }

    public struct ModeStep: Sendable, Equatable {
        public var step: Int64
        public var modeStep: Int64
    }

    public var workers: [String: Worker] = [:]
    /// Index files that could not be read (skipped).
    public var unreadable: [String] = []

    /// Reads every index file of the trial in `directory` (none: an empty point).
    public static func scan(directory: String) -> TrialResumePoint {
        var point = TrialResumePoint()
        let fm = FileManager.default
        let root = "\(directory)/index"
        for folder in ((try? fm.contentsOfDirectory(atPath: root)) ?? []).sorted() where !folder.hasPrefix(".") {
            for name in ((try? fm.contentsOfDirectory(atPath: "\(root)/\(folder)")) ?? []).sorted() {
                guard let (step, worker) = TrialLayout.parseFileName(name, extension: "json") else { continue }
                let path = "\(root)/\(folder)/\(name)"
                var tooLarge: String?
                guard let data = TrialFileRead.bytes(path, problem: &tooLarge), let index = try? TrialIndex.parse(data, source: path) else {
                    point.unreadable.append(path)
                    continue
                }
                var w = point.workers[worker] ?? Worker(lastStep: step, modes: [:])
                w.lastStep = max(w.lastStep, step)
                if (w.modes[index.mode]?.step ?? Int64.min) < step {
                    w.modes[index.mode] = ModeStep(step: step, modeStep: index.modeStep)
                }
                point.workers[worker] = w
            }
        }
        return point
    }
}
