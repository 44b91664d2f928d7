import Glibc
@testable import MonteCarlo

/// Test helpers: a deterministic trial function, SciPy quantiles, bit patterns, temporary files.
enum Support {
    /// SplitMix64: a value that depends only on (trial, point), like a real trial's draws.
    static func uniform(_ trial: Int, _ point: Int) -> Double {
        var z = UInt64(truncatingIfNeeded: trial) &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(point) &* 0xD1B5_4A32_D192_ED03
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        return Double(z >> 11) * 0x1p-53
    }

    static let pointCount = 5

    /// Five curve points with different means and spreads; point 4 is NaN on every 7th trial.
    @Sendable static func trial(_ t: Int) -> [Double] {
        (0..<pointCount).map { p in
            if p == 4 && t % 7 == 3 { return .nan }
            return Double(p) + Double(p + 1) * (uniform(t, p) - 0.5)
        }
    }

    /// Quantiles looked up in the SciPy table.
    @Sendable static func scipyQuantile(_ p: Double, _ df: Int) -> Double {
        guard let row = StudentTReference.quantiles.first(where: { abs($0.p - p) < 1e-12 && $0.df == df }) else {
            preconditionFailure("no SciPy value for p=\(p), df=\(df)")
        }
        return row.t
    }

    static func bits(_ stats: MergedStatistics) -> [UInt64] {
        var out: [UInt64] = stats.points.flatMap { [UInt64($0.count), UInt64($0.missing), $0.mean.bitPattern, $0.m2.bitPattern] }
        out.append(UInt64(stats.blockCount))
        for g in stats.groups {
            out += [UInt64(g.count), UInt64(g.skipped)]
            out += g.mean.map(\.bitPattern)
            out += g.comoments.map(\.bitPattern)
        }
        return out
    }

    /// Covariance groups of the test runs: one without NaN, one with point 4 (NaN on every
    /// 7th trial, so those trials are skipped by the group).
    static let groups = [[0, 1, 2], [3, 4]]

    static func configuration(_ stopping: StoppingRule, blockSize: Int = 16, blocksPerRank: Int = 2,
                              identity: String = "test run seed=1",
                              checkpoint: CheckpointPolicy? = nil) -> EngineConfiguration {
        EngineConfiguration(pointCount: pointCount, blockSize: blockSize, blocksPerRankPerRound: blocksPerRank,
                            stopping: stopping, identity: identity, checkpoint: checkpoint,
                            covarianceGroups: groups)
    }

    static func temporaryPath(_ name: String) -> String {
        let folder = "/tmp/kdmc-engine-tests-\(getpid())"
        mkdir(folder, 0o755)
        return folder + "/" + name
    }

    static func relativelyClose(_ a: Double, _ b: Double, _ tolerance: Double = 1e-12) -> Bool {
        abs(a - b) <= tolerance * max(1, abs(a), abs(b))
    }
}
