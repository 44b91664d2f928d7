import Foundation

/// A parameter axis an experiment can be swept over (docs/EXPERIMENT-SCHEMA.md, "sweep").
package enum SweepParameter: String, Sendable, Equatable, Hashable, CaseIterable, Codable {
    case d
    case kappa = "geometry.kappa"
    case theta0 = "geometry.theta0"
    case alpha = "geometry.alpha"
    case norm = "teacher.norm"
    case temperature = "teacher.temperature"

    /// The name used in point names, `NAME[d=1000,kappa=2]`: the last part of the member path.
    package var shortName: String {
        rawValue.split(separator: ".").last.map(String.init) ?? rawValue
    }

    /// The geometry kind whose member this is; nil for members outside the geometry.
    var geometryKind: String? {
        switch self {
        case .kappa: "poly-tail"
        case .theta0: "margin"
        case .alpha: "anisotropic"
        default: nil
        }
    }

    /// Rates are compared along d per decade (the claim is about orders of magnitude of d),
    /// along every other axis per unit of the parameter.
    package var isLogarithmic: Bool { self == .d }
}

/// The values of one axis: a list, or a generator like the n grid's.
package enum SweepValues: Sendable, Equatable {
    case values([Double])
    case generated(from: Double, to: Double, count: Int, spacing: NGrid.Spacing)

    /// The points in order. A generated d axis is rounded to integers (duplicates dropped).
    package func points(integer: Bool) -> [Double] {
        switch self {
        case .values(let list):
            return list
        case .generated(let from, let to, let count, let spacing):
            var out: [Double] = []
            for i in 0..<count {
                let f = Double(i) / Double(count - 1)
                var x: Double
                switch spacing {
                case .linear: x = from + f * (to - from)
                case .log: x = exp(log(from) + f * (log(to) - log(from)))
                }
                if i == 0 { x = from }
                if i == count - 1 { x = to }
                if integer { x = x.rounded() }
                if out.last.map({ x > $0 }) ?? true { out.append(x) }
            }
            return out
        }
    }
}

package struct SweepAxis: Sendable, Equatable {
    package var parameter: SweepParameter
    package var values: SweepValues

    package init(parameter: SweepParameter, values: SweepValues) {
        self.parameter = parameter
        self.values = values
    }

    package var points: [Double] { values.points(integer: parameter == .d) }
}

/// An experiment's `"sweep"`: one or two axes, expanded into one experiment per point of their
/// product (the first axis outermost), and the resolution of the across-sweep verdicts.
package struct SweepSpec: Sendable, Equatable {
    /// In the order of `SweepParameter.allCases`, whatever order the file wrote them in.
    package var axes: [SweepAxis]
    /// Largest drift of fitted/predicted rate per unit of the axis (per decade of d) that still
    /// counts as "the rate does not depend on the parameter".
    package var resolution: Double

    package static let defaultResolution = 0.05
    /// The across-sweep claims `"expect"` accepts: a rate claim along an axis, e.g. `C2-vs-d`.
    package static let claims: [String] = ["C1", "C2"].flatMap { c in SweepParameter.allCases.map { "\(c)-vs-\($0.shortName)" } }
    package static let maximumAxes = 2

    package init(axes: [SweepAxis], resolution: Double = SweepSpec.defaultResolution) {
        self.axes = axes.sorted { a, b in
            SweepParameter.allCases.firstIndex(of: a.parameter)! < SweepParameter.allCases.firstIndex(of: b.parameter)!
        }
        self.resolution = resolution
    }

    /// Every point of the product, first axis outermost.
    package var coordinates: [[SweepCoordinate]] {
        var out: [[SweepCoordinate]] = [[]]
        for axis in axes {
            out = out.flatMap { prefix in axis.points.map { prefix + [SweepCoordinate(parameter: axis.parameter, value: $0)] } }
        }
        return out
    }
}

package struct SweepCoordinate: Sendable, Equatable, Hashable, Codable {
    package var parameter: SweepParameter
    package var value: Double

    package init(parameter: SweepParameter, value: Double) {
        self.parameter = parameter
        self.value = value
    }

    /// `d=1000`, `kappa=2`, `theta0=0.15`: the value in its shortest exact decimal form.
    package var label: String { "\(parameter.shortName)=\(SweepCoordinate.format(value))" }

    package static func format(_ x: Double) -> String {
        if x == x.rounded(), abs(x) < 1e15 { return String(Int64(x)) }
        return "\(x)"
    }

    /// A point's name from its coordinates: `d=1000,kappa=2`.
    package static func label(_ coordinates: [SweepCoordinate]) -> String {
        coordinates.map(\.label).joined(separator: ",")
    }
}

/// What makes an experiment one point of a sweep: the sweep (its base experiment's name), the
/// point's coordinates and the seed the point was derived from.
package struct SweepPoint: Sendable, Equatable, Hashable {
    package var sweep: String
    package var coordinates: [SweepCoordinate]
    package var baseSeed: UInt64

    package init(sweep: String, coordinates: [SweepCoordinate], baseSeed: UInt64) {
        self.sweep = sweep
        self.coordinates = coordinates
        self.baseSeed = baseSeed
    }

    /// `d=1000,kappa=2`.
    package var label: String { SweepCoordinate.label(coordinates) }

    package func value(_ parameter: SweepParameter) -> Double? {
        coordinates.first { $0.parameter == parameter }?.value
    }
}

/// Each point gets its own seed, from the experiment's seed and the point's label only, so
/// adding a value to an axis leaves the other points' seeds (and numbers) unchanged
/// (docs/EXPERIMENT-SCHEMA.md gives the derivation to reproduce it by hand):
///
///     h    = FNV-1a 64 of the UTF-8 label, e.g. "d=1000,kappa=2"
///     seed = mix(seed_experiment XOR mix(h)) AND (2^63 − 1)
///
/// with `mix` the SplitMix64 finaliser. The top bit is cleared so every seed can be written
/// back as a JSON integer.
package enum SweepSeed {
    package static func derive(base: UInt64, label: String) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in label.utf8 {
            h ^= UInt64(byte)
            h = h &* 0x0000_0100_0000_01b3
        }
        return mix(base ^ mix(h)) & 0x7fff_ffff_ffff_ffff
    }

    static func mix(_ x: UInt64) -> UInt64 {
        var z = x
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}

extension ExperimentSpec {
    /// The experiments this one stands for: itself, or one per sweep point.
    package var expanded: [ExperimentSpec] {
        guard let sweep else { return [self] }
        return sweep.coordinates.map { point(at: $0) }
    }

    /// The experiment at one sweep point: the swept members set, its own name and seed, no sweep.
    package func point(at coordinates: [SweepCoordinate]) -> ExperimentSpec {
        var e = self
        e.sweep = nil
        for c in coordinates {
            switch c.parameter {
            case .d: e.d = Int(c.value)
            case .kappa:
                if case .polyTail(_, let radius) = e.geometry { e.geometry = .polyTail(kappa: c.value, radius: radius) }
            case .theta0:
                if case .margin(_, let radius) = e.geometry { e.geometry = .margin(theta0: c.value, radius: radius) }
            case .alpha:
                if case .anisotropic(_, let direction) = e.geometry {
                    e.geometry = .anisotropic(spectrum: .powerLaw(alpha: c.value), teacherDirection: direction)
                }
            case .norm: e.teacher.norm = c.value
            case .temperature: e.teacher.temperature = c.value
            }
        }
        let point = SweepPoint(sweep: name, coordinates: coordinates, baseSeed: seed)
        e.name = "\(name)[\(point.label)]"
        e.seed = SweepSeed.derive(base: seed, label: point.label)
        e.sweepPoint = point
        return e
    }
}

extension ExperimentSuite {
    /// The experiments a run performs, in order: sweeps expanded into their points.
    package var points: [ExperimentSpec] { experiments.flatMap(\.expanded) }
}
