import Foundation

/// Memory a run may use per rank: half the node's memory shared by the ranks on the node.
package struct MemoryBudget: Sendable, Equatable {
    package var physicalBytes: Double
    package var ranksOnNode: Int

    package init(physicalBytes: Double, ranksOnNode: Int) {
        self.physicalBytes = physicalBytes
        self.ranksOnNode = max(1, ranksOnNode)
    }

    package var capBytes: Double { 0.5 * physicalBytes / Double(ranksOnNode) }

    /// Reads /proc/meminfo (and a cgroup limit when lower) and the launcher's local rank count.
    package static func current(environment: [String: String] = ProcessInfo.processInfo.environment) -> MemoryBudget {
        MemoryBudget(physicalBytes: physicalMemory(), ranksOnNode: localRanks(environment))
    }

    static func physicalMemory() -> Double {
        var bytes = Double(ProcessInfo.processInfo.physicalMemory)
        if let text = try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8),
           let line = text.split(separator: "\n").first(where: { $0.hasPrefix("MemTotal:") }),
           let kb = line.split(separator: " ").dropFirst().first.flatMap({ Double($0) }) {
            bytes = kb * 1024
        }
        if let text = try? String(contentsOfFile: "/sys/fs/cgroup/memory.max", encoding: .utf8),
           let limit = Double(text.trimmingCharacters(in: .whitespacesAndNewlines)), limit > 0 {
            bytes = min(bytes, limit)
        }
        return bytes
    }

    /// Open MPI, MPICH and Slurm each say how many ranks share the node; 1 when none does.
    static func localRanks(_ environment: [String: String]) -> Int {
        for key in ["OMPI_COMM_WORLD_LOCAL_SIZE", "MPI_LOCALNRANKS", "PMI_LOCAL_SIZE", "SLURM_NTASKS_PER_NODE"] {
            if let text = environment[key],
               let n = Int(text.prefix(while: \.isNumber)), n > 0 {
                return n
            }
        }
        return 1
    }
}

/// Peak memory of one rank running one trial, from the formula in docs/EXPERIMENT-SCHEMA.md.
package struct MemoryEstimate: Sendable, Equatable {
    package var bytes: Double
    /// The sampler the estimate assumes (`auto` resolved).
    package var sampler: SamplerChoice
    /// The terms of the formula, for messages.
    package var breakdown: String

    /// Runtime, MPI and buffers, whatever the experiment.
    package static let baselineBytes = 40.0 * 1_048_576

    static func format(_ bytes: Double) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"]
        var x = bytes
        var u = 0
        while x >= 1024 && u < units.count - 1 { x /= 1024; u += 1 }
        return String(format: u == 0 ? "%.0f %@" : "%.1f %@", x, units[u])
    }
}

extension ExperimentSpec {
    /// The sampler a run uses: `auto` is gram whenever it is exact (`gramSamplerObstacles` is
    /// empty). Every student has an exact Gram form: a random or given w(0) and the w_δ
    /// directions are independent of the points, so one extra embedding coordinate carries their
    /// part outside span(u, x_1 … x_n) (``GramTransferSet``); a deep student's first-layer rows
    /// have parts there too, which enter its flow only through their h_1 × h_1 Gram matrix, drawn
    /// exactly.
    package var resolvedSampler: SamplerChoice {
        guard sampler == .auto else { return sampler }
        return gramSamplerObstacles.isEmpty ? .gram : .ambient
    }

    /// Why the gram sampler is not exact for this experiment, one reason per obstacle; empty
    /// when it is. The reader (a forced `"gram"`), `resolvedSampler` (`"auto"`) and the trial
    /// all ask this one function.
    package var gramSamplerObstacles: [String] {
        var reasons: [String] = []
        if !geometry.isAxiallySymmetric {
            reasons.append("the gram sampler needs an axially symmetric geometry (gaussian, poly-tail, margin), not \(geometry.kind)")
        }
        if n.maximum >= d {
            reasons.append("the gram sampler draws at most d − 1 = \(d - 1) points (the Bartlett factor of a Wishart W_n(d − 1, I) needs n ≤ d − 1), but the largest n is \(n.maximum)")
        }
        return reasons
    }

    /// The peak resident memory of one rank, term by term. Each term is an allocation that
    /// lives through a trial's draw and solve (doubles, N the largest n):
    ///
    /// - gram sampler: the Bartlett factor of the directions, N² (the closed-form angles read it
    ///   in place; the embedded points are built one prefix at a time);
    /// - ambient sampler: the points N·d and the sampling temporaries of the geometry
    ///   (gaussian 1·N·d, mixture 3.5·N·d, the axially symmetric ones 2.6·N·d, anisotropic
    ///   1·N·d), plus, for the closed form of zero-initialised linear students, the N × N
    ///   Gram matrix whose Cholesky factor gives every prefix's projection (N²), and otherwise
    ///   the QR of the points and the reduced system (4·N·d);
    /// - the anisotropic geometry's reference sample, 20 000 × d, kept for the whole run; the
    ///   mixture's means k·d;
    /// - the largest student's own state.
    ///
    /// The coefficients were measured against peak RSS (MemoryEstimateTests checks them).
    package var memoryEstimate: MemoryEstimate {
        let d = Double(self.d)
        let n = Double(n.maximum)
        let sampler = resolvedSampler
        var terms: [String] = []
        var doubles = 0.0
        let space: Double
        let closedLinear = solver.kind == .closed && students.allSatisfy {
            if case .linear(.zero) = $0 { true } else { false }
        }
        if sampler == .gram {
            space = n + 2
            doubles += n * n
            terms.append("gram sampler: Bartlett factor of the directions n²")
            if !closedLinear {
                doubles += 2 * n * space
                terms.append("embedded points and their QR 2·n·(n+2)")
            }
        } else {
            space = d
            let sampling: Double
            switch geometry {
            case .mixture: sampling = 3.5
            case .polyTail, .margin: sampling = 2.6
            default: sampling = 1
            }
            doubles += sampling * n * d
            terms.append("points and their sampling \(JSONValue.format(sampling))·n·d")
            if closedLinear {
                doubles += n * n
                terms.append("Gram matrix of the points n²")
            } else {
                doubles += 4 * n * d
                terms.append("QR and reduced system 4·n·d")
            }
        }
        switch geometry {
        case .mixture(let m):
            doubles += Double(m.weights.count) * d
            terms.append("means k·d")
        case .anisotropic:
            doubles += Self.anisotropicReferenceCount * d
            terms.append("reference sample 20000·d")
        default:
            break
        }
        doubles += d
        terms.append("teacher d")
        var largestStudent = 0.0
        var largestName = ""
        for student in students {
            let cost: Double
            switch student {
            case .linear, .wDelta:
                cost = 4 * space + 2 * n
            case .hardLabel:
                cost = 4 * space + n * n + 2 * n
            case .deepLinear(_, let widths, _):
                // W_1 is h_1 × D (D = d, or n + 2 in the Gram embedding).
                let sizes = [space] + widths.map(Double.init) + [1]
                let parameters = zip(sizes, sizes.dropFirst()).map { $0 * $1 }.reduce(0, +)
                cost = 3 * parameters + n * (widths.map(Double.init).max() ?? 0)
            }
            if cost > largestStudent {
                largestStudent = cost
                largestName = student.kind
            }
        }
        doubles += largestStudent
        terms.append("largest student (\(largestName))")
        let bytes = MemoryEstimate.baselineBytes + 8 * doubles
        return MemoryEstimate(bytes: bytes, sampler: sampler,
                              breakdown: "d = \(self.d), max n = \(Int(n)): " + terms.joined(separator: " + ") + " + 40 MiB baseline")
    }

    /// The size of the anisotropic geometry's reference sample (its p(θ)).
    static let anisotropicReferenceCount = 20_000.0
}
