import ArgumentParser
import Distillation
import Foundation

struct BoundCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bound",
        abstract: "Print the risk bound min over θ of p(θ) + p(π/2 − θ)^n (docs/THEORY.md §4) for a geometry.",
        discussion: "Prints a CSV table: n, B with its minimising θ, the corollary C1 (margin) or C2 (poly-tail), and the exact E[R_n] of the isotropic Gaussian (gaussian). No simulation."
    )

    static let geometries = ["gaussian", "poly-tail", "margin"]

    @Option(help: "Geometry whose p(θ) is known in closed form: gaussian, poly-tail or margin.")
    var geometry: String

    @Option(help: "Dimension d (an integer ≥ 2).")
    var d: Int

    @Option(parsing: .upToNextOption, help: "Transfer-set sizes: one or more increasing positive integers (e.g. --n 1 10 100).")
    var n: [Int]

    @Option(help: "Tail exponent κ > 0 (poly-tail only).")
    var kappa: Double?

    @Option(help: "Angular margin θ0 in radians, in (0, π/2) (margin only).")
    var theta0: Double?

    func validate() throws {
        guard Self.geometries.contains(geometry) else {
            throw ValidationError("--geometry \(geometry) is not one of \(Self.geometries.joined(separator: ", ")); the bound needs a geometry with a closed-form p(θ)")
        }
        guard d >= 2 else { throw ValidationError("--d \(d) is less than 2; give the dimension, e.g. --d 100") }
        guard !n.isEmpty else { throw ValidationError("--n needs at least one value, e.g. --n 1 10 100") }
        for (i, value) in n.enumerated() {
            guard value >= 1 else { throw ValidationError("--n \(value) is not positive; transfer-set sizes are integers ≥ 1") }
            if i > 0 && value <= n[i - 1] {
                throw ValidationError("--n \(value) is not greater than the previous value \(n[i - 1]); list the sizes in increasing order")
            }
        }
        switch geometry {
        case "poly-tail":
            guard let kappa else { throw ValidationError("--geometry poly-tail needs --kappa, e.g. --kappa 1") }
            guard kappa > 0 else { throw ValidationError("--kappa \(kappa) is not positive; give e.g. --kappa 1") }
        case "margin":
            guard let theta0 else { throw ValidationError("--geometry margin needs --theta0 in radians, e.g. --theta0 0.2") }
            guard theta0 > 0 && theta0 < Double.pi / 2 else {
                throw ValidationError("--theta0 \(theta0) is outside (0, π/2); give the margin in radians, e.g. --theta0 0.2")
            }
        default:
            break
        }
        if kappa != nil && geometry != "poly-tail" { throw ValidationError("--kappa applies only to --geometry poly-tail; remove it") }
        if theta0 != nil && geometry != "margin" { throw ValidationError("--theta0 applies only to --geometry margin; remove it") }
    }

    func run() throws {
        let geometry: any Geometry
        switch self.geometry {
        case "poly-tail": geometry = try PolyTailGeometry(dimension: d, kappa: kappa!)
        case "margin": geometry = try MarginGeometry(dimension: d, margin: theta0!)
        default: geometry = try GaussianGeometry(dimension: d)
        }
        var lines = ["n,B,theta,corollary,exact"]
        for size in n {
            let b = geometry.riskBound(count: size)
            var corollary = ""
            var exact = ""
            if let margin = geometry as? MarginGeometry {
                corollary = RiskBound.margin(count: size, axisMass: margin.axisMass).power.description
            } else if let kappa {
                corollary = RiskBound.polynomial(count: size, kappa: kappa).value.description
            } else {
                exact = GaussianExpectation.expectedRisk(count: size, dimension: d).description
            }
            lines.append("\(size),\(b.value),\(b.argument),\(corollary),\(exact)")
        }
        print(lines.joined(separator: "\n"))
    }
}
