// swift-tools-version: 6.0
import PackageDescription

// Linux only: the code uses Glibc, /proc and Open MPI. Layers (docs/ARCHITECTURE.md), each target
// importing only targets below it:
//   Numerics; SystemIO; CMPI → MPI; CBLAS, CLAPACKE → LinearAlgebra
//   Distillation (Numerics, LinearAlgebra)      the maths, no MPI
//   MonteCarlo   (Numerics, MPI)                the generic engine, no maths
//   (SystemIO, the checked system calls and file writes, sits under all that touch files)
//   Experiments  (Distillation, MonteCarlo)     where the maths meets the engine
//   Report       (Experiments)                  tables, fits, verdicts, rendering
//   Commands     (everything above) → kdmc      the command-line tool
let package = Package(
    name: "kdmc",
    products: [
        .executable(name: "kdmc", targets: ["kdmc"]),
        // The maths and the engine as a library: geometries, students, risk, bounds, the trial
        // engine and its in-process collective (Examples/GaussianCurve shows its use).
        .library(name: "KDMCKit", targets: ["Numerics", "LinearAlgebra", "Distillation", "MonteCarlo"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        // System libraries.
        .systemLibrary(name: "CMPI", pkgConfig: "ompi-c",
                       providers: [.apt(["libopenmpi-dev", "openmpi-bin"])]),
        .systemLibrary(name: "CBLAS", pkgConfig: "openblas",
                       providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CLAPACKE", pkgConfig: "lapacke",
                       providers: [.apt(["liblapacke-dev"])]),
        // SUNDIALS CVODE (Debian ships no pkg-config file for it; the module map links it).
        .systemLibrary(name: "CSUNDIALS", providers: [.apt(["libsundials-dev"])]),

        // Swift layers.
        // System calls, checked: atomic writes, regular-file reads, locks (no dependencies).
        .target(name: "SystemIO"),
        .target(name: "Numerics"),
        .target(name: "MPI", dependencies: ["CMPI"]),
        .target(name: "LinearAlgebra", dependencies: ["CBLAS", "CLAPACKE"]),
        .target(name: "Distillation", dependencies: ["Numerics", "LinearAlgebra", "CSUNDIALS", "SystemIO"]),
        .target(name: "MonteCarlo", dependencies: ["Numerics", "MPI", "SystemIO"]),
        .target(name: "Experiments", dependencies: ["Distillation", "MonteCarlo", "Numerics", "LinearAlgebra", "SystemIO"]),
        .target(name: "Report", dependencies: ["Experiments", "MonteCarlo", "Distillation", "Numerics", "SystemIO"]),
        .target(name: "Commands", dependencies: [
            "MPI", "MonteCarlo", "Distillation", "Experiments", "Report", "LinearAlgebra", "Numerics", "SystemIO",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], plugins: ["BuildInfo"]),
        // The git commit of the checkout, compiled into Commands for summary.json's provenance.
        .plugin(name: "BuildInfo", capability: .buildTool()),
        .executableTarget(name: "kdmc", dependencies: ["Commands"]),
        .executableTarget(name: "GaussianCurveExample", dependencies: ["Distillation", "MonteCarlo", "Numerics"],
                          path: "Examples/GaussianCurve"),

        // Tests.
        .testTarget(name: "NumericsTests", dependencies: ["Numerics"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "MPITests", dependencies: ["MPI"]),
        .testTarget(name: "SystemIOTests", dependencies: ["SystemIO"]),
        .testTarget(name: "LinearAlgebraTests", dependencies: ["LinearAlgebra"]),
        .testTarget(name: "DistillationTests", dependencies: ["Distillation", "Numerics", "LinearAlgebra"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "MonteCarloTests", dependencies: ["MonteCarlo", "MPI", "Numerics"]),
        .testTarget(name: "ExperimentsTests", dependencies: ["Experiments", "MonteCarlo", "Distillation", "LinearAlgebra"]),
        .testTarget(name: "ReportTests", dependencies: ["Report", "Experiments", "MonteCarlo", "Numerics", "Distillation"]),
        // The malformed-experiment corpus is read from disk by path, not bundled.
        .testTarget(name: "kdmcTests", dependencies: ["Commands", "Experiments", "MonteCarlo", "Distillation", "SystemIO"], exclude: ["Malformed"]),
    ],
    swiftLanguageModes: [.v6]
)
