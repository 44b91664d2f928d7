import ArgumentParser
import Distillation
import Foundation
import MPI
import MonteCarlo

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Time one benchmark workload through the engine and print the result as one JSON line (rank 0).",
        discussion: """
        Workloads: \(BenchWorkload.all.map { "\($0.name) (\($0.summary))" }.joined(separator: "; ")). \
        Run under mpirun with any number of ranks; peak memory is per process, so run each \
        workload in its own process. `make bench` runs every workload beside the NumPy/SciPy \
        comparator (bench/comparator.py) and prints the table; see bench/README.md.
        """
    )

    @Argument(help: "Workload name: \(BenchWorkload.all.map(\.name).joined(separator: ", ")).")
    var workload: String

    @Option(help: "Solver: closed (the closed-form limit) or flow (to the default stopping rule: relative gradient and fit tolerance 1e-10).")
    var solver: String = "closed"

    @Option(help: "Number of trials (a multiple of 8 keeps the statistics independent of the rank count).")
    var trials: Int = 64

    @Option(name: .customLong("euler-draws"),
            help: "Also compare the flow's gradient evaluations with fixed-step Euler on this many draws (flow solver only).")
    var eulerDraws: Int = 0

    @Option(help: "The flow's integrator: \(FlowIntegrator.allCases.map(\.rawValue).joined(separator: ", ")) (flow solver only).")
    var integrator: String = BenchWorkload.FlowChoice().integrator.rawValue

    @Option(name: .customLong("integration-tolerance"), help: "The flow's local integration tolerance (flow solver only).")
    var integrationTolerance: Double = BenchWorkload.FlowChoice().integrationTolerance

    @Option(help: "The flow's stopping rule: relative gradient and fit tolerance (flow solver, linear workloads only).")
    var tolerance: Double = BenchWorkload.FlowChoice().tolerance

    @Option(name: .customLong("limit-tolerance"),
            help: "RODAS4's local tolerance relative to the distance to the flow's known limit (flow solver only).")
    var limitTolerance: Double = BenchWorkload.FlowChoice().limitTolerance

    @Flag(help: "Print the workload's experiment file and exit (no MPI).")
    var spec = false

    func validate() throws {
        guard BenchWorkload.named(workload) != nil else {
            throw ValidationError("unknown workload \(workload); choose one of \(BenchWorkload.all.map(\.name).joined(separator: ", "))")
        }
        guard BenchWorkload.Solver(rawValue: solver) != nil else {
            throw ValidationError("--solver \(solver) is not closed or flow")
        }
        if BenchWorkload.named(workload)?.solverOverride != nil && solver != "flow" {
            throw ValidationError("workload \(workload) trains deep linear students by the flow; it needs --solver flow")
        }
        guard trials >= 1 else { throw ValidationError("--trials \(trials) is not positive") }
        guard eulerDraws >= 0 else { throw ValidationError("--euler-draws \(eulerDraws) is negative") }
        guard FlowIntegrator(rawValue: integrator) != nil else {
            throw ValidationError("--integrator \(integrator) is not one of \(FlowIntegrator.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard tolerance > 0 && tolerance < 1 else {
            throw ValidationError("--tolerance \(tolerance) must be in (0, 1), e.g. 1e-10")
        }
        guard limitTolerance > 0 && limitTolerance < 1 else {
            throw ValidationError("--limit-tolerance \(limitTolerance) must be in (0, 1), e.g. 1e-4")
        }
        guard integrationTolerance > 0 && integrationTolerance < 1 else {
            throw ValidationError("--integration-tolerance \(integrationTolerance) must be in (0, 1), e.g. 1e-8")
        }
        if BenchWorkload.named(workload)?.solverOverride != nil
            && (tolerance != BenchWorkload.FlowChoice().tolerance || limitTolerance != BenchWorkload.FlowChoice().limitTolerance) {
            throw ValidationError("workload \(workload) runs the deep-linear preset's solver; --tolerance and --limit-tolerance apply to the linear workloads")
        }
        if eulerDraws > 0 && solver != "flow" {
            throw ValidationError("--euler-draws compares the flow with Euler; it needs --solver flow")
        }
    }

    func run() throws {
        let chosen = BenchWorkload.named(workload)!
        let kind = BenchWorkload.Solver(rawValue: solver)!
        let flow = BenchWorkload.FlowChoice(integrator: FlowIntegrator(rawValue: integrator)!,
                                            integrationTolerance: integrationTolerance, tolerance: tolerance,
                                            limitTolerance: limitTolerance)
        if spec {
            _ = try chosen.spec(solver: kind, trials: trials, flow: flow)
            print(chosen.experimentJSON(solver: kind, trials: trials, flow: flow))
            return
        }
        try startParallelRun()
        let collective = MPICollective()
        do {
            let runner = BenchRunner(workload: chosen, solver: kind, trials: trials,
                                     eulerDraws: eulerDraws, collective: collective, flow: flow)
            if let result = try runner.run() {
                FileHandle.standardOutput.write(Data((try result.encodedLine() + "\n").utf8))
            }
            try collective.barrier()
        } catch {
            if collective.rank != 0 { Thread.sleep(forTimeInterval: 5) }
            MPIRuntime.abort("\(error)")
        }
    }
}
