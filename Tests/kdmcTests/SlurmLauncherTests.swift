import Foundation
import Testing

/// The Slurm scripts' launchers under the real one-node Slurm: srun when Slurm and the MPI
/// library share pmix or pmi2 (else mpirun, saying why), and the array script, whose four tasks
/// each run a part and whose last task merges them into the bytes of one run.
@Suite(.serialized) struct SlurmLauncherTests {
    @Test func srunOrItsFallbackAndAnArrayJobUnderARealSlurm() throws {
        let folder = try RunTests().scratch("slurm-launcher")
        let presets = folder.appendingPathComponent("presets")
        try FileManager.default.createDirectory(at: presets, withIntermediateDirectories: true)
        try SplitMergeTests.experiment.write(to: presets.appendingPathComponent("split.json"), atomically: true, encoding: .utf8)
        let slurm = try LocalSlurm()
        defer { slurm.stop() }
        func text(_ url: URL) -> String { (try? String(contentsOf: url, encoding: .utf8)) ?? "" }
        let environment = "--export=ALL,KDMC=\(TestFiles.executable.path),KDMC_PRESETS=\(presets.path),KDMC_LAUNCHER=auto"

        // 1. The launcher: srun --mpi=pmix|pmi2 where both sides have it, else mpirun with a message.
        let log = folder.appendingPathComponent("launcher.log")
        let job = try slurm.submit(["--job-name=kdmc-launcher", "--ntasks=2", "--output=\(log.path)", environment,
                                    TestFiles.packageRoot.appendingPathComponent("jobs/slurm.sbatch").path, "split", "whole"],
                                   in: folder, log: folder.appendingPathComponent("launcher.sbatch"))
        try slurm.waitFor("the launcher job", seconds: 300) { !job.isRunning }
        let launcherLog = text(log)
        // The job ends with kdmc's status: a finished run, whatever its verdicts.
        #expect(job.exitStatus.map(finishedRunStatuses.contains) == true, "\(launcherLog)\n\(slurm.logs())")
        let usedSrun = launcherLog.contains("kdmc job: 2 ranks: srun --mpi=")
        let fellBack = launcherLog.contains("srun cannot start these MPI ranks") && launcherLog.contains("kdmc job: 2 ranks: mpirun -np 2 ")
        #expect(usedSrun != fellBack, "neither srun nor the mpirun fallback with its message: \(launcherLog)")
        let summary = try JSONDecoder().decode(JobScriptTests.Summary.self,
                                               from: Data(contentsOf: folder.appendingPathComponent("whole/summary.json")))
        #expect(summary.ranks == 2, "the launcher started \(summary.ranks) ranks, not one MPI job of 2")

        // 2. An array of four tasks: four parts, merged by the last to finish.
        let array = try slurm.submit(["--job-name=kdmc-array", "--array=1-4", "--output=\(folder.path)/array-%a.log",
                                      environment + ",KDMC_HOME=\(TestFiles.packageRoot.path)",
                                      TestFiles.packageRoot.appendingPathComponent("jobs/slurm-array.sbatch").path, "split", "split-out"],
                                     in: folder, log: folder.appendingPathComponent("array.sbatch"))
        try slurm.waitFor("the array job", seconds: 600) { !array.isRunning }
        let logs = (1...4).map { text(folder.appendingPathComponent("array-\($0).log")) }.joined(separator: "\n")
        #expect(array.exitStatus == 0, "\(logs)\n\(slurm.logs())")
        #expect(logs.contains("all 4 parts done: merged into split-out"), "\(logs)")
        let a = try Data(contentsOf: folder.appendingPathComponent("whole/curves.csv"))
        let b = try Data(contentsOf: folder.appendingPathComponent("split-out/curves.csv"))
        #expect(a == b)
    }
}
