import ArgumentParser
import Foundation
import MonteCarlo
import Report
import Experiments
import SystemIO

struct DumpCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dump",
        abstract: "Write everything one trial computes at one n (points, teacher, student paths) for inspection.",
        discussion: "Writes points.csv (the first n points, one row each), teacher.csv (w*, one weight per line), weights.csv (one column per student, one row per coordinate; students kept only in reduced form, the deep linear ones, are left out) and students.csv (label, angle to w*, transfer risk), and coordinates.txt, which says the space the vectors are written in: R^d, or with the gram sampler the (N+2)-dimensional embedding of the trial, which keeps every inner product (no ambient points exist there)."
    )

    @Argument(help: "Experiment or suite file (JSON), or a preset name from kdmc list.")
    var experiment: String

    @Option(help: "Global trial index (an integer ≥ 0); the same index gives the same draw on any rank.")
    var trial: Int

    @Option(help: "Transfer-set size; must be a point of the experiment's n grid.")
    var n: Int

    @Option(name: .customLong("out"), help: ArgumentHelp("Folder to write the dump into.", valueName: "dir"))
    var outputFolder: String

    @Option(name: .customLong("experiment"), help: ArgumentHelp("Which experiment of a suite (required when the suite has more than one).", valueName: "name"))
    var experimentName: String?

    func validate() throws {
        guard trial >= 0 else { throw ValidationError("--trial \(trial) is negative; trial indices start at 0") }
        guard n >= 1 else { throw ValidationError("--n \(n) is not positive; give a point of the experiment's n grid") }
        guard !outputFolder.isEmpty else { throw ValidationError("--out is empty; give a folder such as --out dumps/t0") }
    }

    func run() throws {
        let (url, suite) = try ExperimentLoading.load(experiment)
        let chosen: ExperimentSpec
        if let experimentName {
            guard let match = suite.experiments.first(where: { $0.name == experimentName }) else {
                throw CommandFailure("--experiment \(experimentName) is not in \(experiment); its experiments: \(suite.experiments.map(\.name).joined(separator: ", "))", status: 64)
            }
            chosen = match
        } else {
            guard suite.experiments.count == 1 else {
                throw CommandFailure("\(experiment) holds \(suite.experiments.count) experiments; choose one with --experiment (\(suite.experiments.map(\.name).joined(separator: ", ")))", status: 64)
            }
            chosen = suite.experiments[0]
        }
        let grid = chosen.n.values
        guard grid.contains(n) else {
            let shown = grid.count > 12 ? grid.prefix(12).map(String.init).joined(separator: ", ") + ", …" : grid.map(String.init).joined(separator: ", ")
            throw CommandFailure("--n \(n) is not in the n grid of \(chosen.name) (\(shown)); choose one of those sizes", status: 64)
        }
        let trialSetup = try DistillationTrial(spec: chosen, baseDirectory: url.deletingLastPathComponent())
        let dump = try trialSetup.dump(trial: trial, n: n)
        let folder = URL(fileURLWithPath: outputFolder)
        do {
            try Files.makeFolder(folder.path)
        } catch {
            throw CommandFailure("cannot create \(error.path): \(error.reason)")
        }
        func number(_ x: Double) -> String { x.description }
        let points = (0..<dump.points.rows).map { i in dump.points.row(i).map(number).joined(separator: ",") }
        try write(points, "points.csv", in: folder)
        try write(dump.teacher.map(number), "teacher.csv", in: folder)
        let withWeights = dump.students.filter { $0.weights != nil }
        var weights = [withWeights.map { CurvesCSV.quote($0.label) }.joined(separator: ",")]
        for j in 0..<dump.teacher.count {
            weights.append(withWeights.map { number($0.weights![j]) }.joined(separator: ","))
        }
        try write(weights, "weights.csv", in: folder)
        try write(["student,angle,risk"] + dump.students.map { "\(CurvesCSV.quote($0.label)),\(number($0.angle)),\(number($0.risk))" },
                  "students.csv", in: folder)
        try write([dump.coordinates.note], "coordinates.txt", in: folder)
        print("kdmc: trial \(trial) of \(chosen.name) at n = \(n) written to \(folder.path); \(dump.coordinates.note.prefix { $0 != "." })")
    }

    private func write(_ lines: [String], _ name: String, in folder: URL) throws {
        do {
            try Files.writeAtomically(Data((lines.joined(separator: "\n") + "\n").utf8), to: folder.appendingPathComponent(name).path)
        } catch {
            throw CommandFailure(OutputFolder.message(error))
        }
    }
}
