import Foundation
import MonteCarlo

/// What the engine is given for one experiment besides its trials: the stopping rule and the
/// identity whose hash fingerprints its checkpoints. A run, a merge and a report of a stopped
/// run all build it here, so they agree on which checkpoint belongs to which experiment.
package struct EngineSetup: Sendable {
    package var stopping: StoppingRule
    /// The canonical text whose hash is the checkpoint's fingerprint.
    package var identity: String

    package init(stopping: StoppingRule, identity: String) {
        self.stopping = stopping
        self.identity = identity
    }

    /// The sequential target watches the curves (risk, certificate, paired differences), not
    /// the solver diagnostics.
    package init(_ spec: ExperimentSpec, _ layout: CurveLayout) throws {
        self.init(stopping: Self.rule(spec.stopping, watching: layout.curvePoints), identity: try Self.identity(spec))
    }

    static func rule(_ stopping: StoppingSpec, watching points: [Int]) -> StoppingRule {
        switch stopping {
        case .fixed(let trials):
            return .fixed(trials: trials)
        case .sequential(let s):
            var target = SequentialTarget(minimumTrials: s.minTrials, maximumTrials: s.maxTrials,
                                          wallTimeLimit: s.wallTime, watchedPoints: points)
            switch s.target {
            case .absolute(let x): target.absoluteHalfWidth = x
            case .relative(let x): target.relativeHalfWidth = x
            }
            return .sequential(target)
        }
    }

    /// Everything that changes a trial's numbers: the experiment without its stopping rule
    /// (so a resumed run may be given more trials) and without its expectations.
    package static func identity(_ spec: ExperimentSpec) throws -> String {
        var stripped = spec
        stripped.stopping = .defaultRule
        stripped.expect = [:]
        return String(decoding: try canonicalEncoder.encode(stripped.json), as: UTF8.self)
    }

    /// Sorted keys, no escaped slashes: the same text for the same configuration.
    package static let canonicalEncoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()
}
