// swift-tools-version: 6.0
import PackageDescription

// Layers (DESIGN.md): CMPI → MPI → MonteCarlo → Report → kdmc,
// CBLAS/CLAPACKE → LinearAlgebra → Distillation → MonteCarlo.
let package = Package(
    name: "kdmc",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "kdmc", targets: ["kdmc"]),
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

        // Swift layers.
        .target(name: "MPI", dependencies: ["CMPI"]),
        .target(name: "LinearAlgebra", dependencies: ["CBLAS", "CLAPACKE"]),
        .target(name: "Distillation", dependencies: ["LinearAlgebra"]),
        .target(name: "MonteCarlo", dependencies: ["MPI", "Distillation", "LinearAlgebra"]),
        .target(name: "Report", dependencies: ["MonteCarlo", "Distillation"]),
        .executableTarget(name: "kdmc", dependencies: [
            "MPI", "MonteCarlo", "Distillation", "Report", "LinearAlgebra",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], plugins: ["BuildInfo"]),
        // The git commit of the checkout, compiled into kdmc for summary.json's provenance.
        .plugin(name: "BuildInfo", capability: .buildTool()),

        // Tests.
        .testTarget(name: "MPITests", dependencies: ["MPI"]),
        .testTarget(name: "LinearAlgebraTests", dependencies: ["LinearAlgebra"]),
        .testTarget(name: "DistillationTests", dependencies: ["Distillation", "LinearAlgebra"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "MonteCarloTests", dependencies: ["MonteCarlo", "MPI", "Distillation"]),
        .testTarget(name: "ReportTests", dependencies: ["Report", "MonteCarlo"]),
        // The malformed-experiment corpus is read from disk by path, not bundled.
        .testTarget(name: "kdmcTests", dependencies: ["MonteCarlo", "Distillation"], exclude: ["Malformed"]),
    ],
    swiftLanguageModes: [.v6]
)
