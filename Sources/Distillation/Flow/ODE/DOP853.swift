/// The explicit Dormand–Prince 8(5,3) pair (Hairer–Nørsett–Wanner, Solving Ordinary Differential
/// Equations I, §II.10; Hairer's code DOP853) for y' = F(τ, y), driven by `integrateAdaptively`
/// with the PI controller of order 8.
///
/// Why: on flows that are accuracy-limited rather than stiff (the deep linear students' layers in
/// the Gram sampler, held to a local tolerance of 1 % of the stopping tolerances), an 8th-order
/// step is far longer than a 5th-order one at the same local error, and costs 12 evaluations
/// against Dormand–Prince 5(4)'s 6. On stiff flows it is stability-limited like any explicit
/// method (its real stability interval is about twice Dormand–Prince's, at twice the cost).
///
/// The error estimate: two embedded estimates, of orders 5 (Δ5 = h Σ e5_j k_j) and 3
/// (Δ3 = h Σ (b_j − b̂_j) k_j), combined as in DOP853: err = ‖Δ5‖² / √(‖Δ5‖² + 0.01 ‖Δ3‖²),
/// which behaves like h^8 for small h (the order the controller assumes) and like ‖Δ5‖ when the
/// 3rd-order estimate is no larger. Here both norms are `ErrorNorm`'s RMS, each entry relative to
/// the same scale (tolerance × max(state's largest entry, |y_i|, |y_i + Δy_i|)) in place of
/// DOP853's atol + rtol·max(|y_i|, |y_i + Δy_i|); see `ErrorNorm.measure(from:to:error:lowOrderError:)`.
///
/// The step needs F at its end only once accepted (the next step's first stage, FSAL), so the
/// attempt costs 11 evaluations and the driver evaluates the accepted end point. No dense output:
/// the terminal event is located by retaking the step, as for every method here.
struct DOP853<Problem: ODEProblem>: EmbeddedMethod {
    /// Hairer's DOP853 controller with his stabilising β = 0.04 (the default there is 0): exponent
    /// 1/8 − 0.2 β on the error, β on the previous one, growth ≤ 6. Without the β term a stiff deep
    /// flow, held at the stability limit, can oscillate there without meeting the stopping rule
    /// (bench/README.md).
    let controller = StepController(acceptExponent: 1.0 / 8 - 0.2 * 0.04, previousExponent: 0.04,
                                    rejectExponent: 1.0 / 8, maxGrowth: 6)
    var jacobianEvaluations: Int { 0 }
    /// The twelve stages side by side in one buffer, kept for the whole run: a fresh buffer of
    /// this size per attempt is mapped and faulted in by the allocator every time.
    private let stageBuffer = StageBuffer()

    final class StageBuffer {
        var k: [Double] = []
    }

    func attempt(_ problem: Problem, at y: [Double], time tau: Double, field: [Double], step h: Double) -> StepAttempt? {
        precondition(problem.hasIdentityMass, "DOP853 integrates y' = F only (M = I)")
        let n = y.count
        let stages = DOP853Tableau.stages
        // Every stage is stored before it is read, so the buffer is never cleared.
        if stageBuffer.k.count != stages * n { stageBuffer.k = [Double](repeating: 0, count: stages * n) }
        func store(_ values: [Double], stage s: Int) {
            stageBuffer.k.withUnsafeMutableBufferPointer { out in
                values.withUnsafeBufferPointer { v in for i in 0..<n { out[s * n + i] = v[i] } }
            }
        }
        store(field, stage: 0)
        var stage = [Double](repeating: 0, count: n)
        for s in 1..<stages {
            DOP853Tableau.combine(DOP853Tableau.a[s], stages: stageBuffer.k, base: y, step: h, into: &stage)
            store(problem.field(at: stage, time: tau + DOP853Tableau.c[s] * h), stage: s)
        }
        var next = [Double](repeating: 0, count: n)
        var error5 = [Double](repeating: 0, count: n), error3 = [Double](repeating: 0, count: n)
        DOP853Tableau.combine(DOP853Tableau.b, stages: stageBuffer.k, base: y, step: h, into: &next)
        DOP853Tableau.combine(DOP853Tableau.e5, stages: stageBuffer.k, base: nil, step: h, into: &error5)
        DOP853Tableau.combine(DOP853Tableau.e3, stages: stageBuffer.k, base: nil, step: h, into: &error3)
        return StepAttempt(next: next, error: error5, evaluations: stages - 1, endpoint: nil, lowOrderError: error3)
    }

    /// The flow of `problem` from `start` (τ = 0) until `event` holds or a limit is reached.
    static func integrate<Event: TerminalEvent>(_ problem: Problem, from start: [Double], initial: FlowEvaluation,
                                                event: Event, limits: IntegrationLimits) -> ODESolution {
        var method = DOP853()
        return integrateAdaptively(problem, method: &method, from: start, initial: initial, event: event, limits: limits)
    }
}

/// DOP853's coefficients, copied digit for digit from SciPy's
/// `scipy/integrate/_ivp/dop853_coefficients.py` (the constants of Hairer's dop853.f): the nodes
/// c, the rows of a (only their nonzero entries, as (j, a_sj)), the weights b (row 12 of a), the
/// 5th-order error weights e5, and b̂ (BHH1–3), whose difference from b gives the 3rd-order
/// error weights e3.
enum DOP853Tableau {
    static let stages = 12

    static let c: [Double] = [
        0.0, 0.526001519587677318785587544488e-01, 0.789002279381515978178381316732e-01,
        0.118350341907227396726757197510, 0.281649658092772603273242802490, 0.333333333333333333333333333333,
        0.25, 0.307692307692307692307692307692, 0.651282051282051282051282051282, 0.6,
        0.857142857142857142857142857142, 1.0,
    ]

    /// Row s (s = 1 … 11) of a: the nonzero a_sj as (j, a_sj).
    static let a: [[(Int, Double)]] = [
        [],
        [(0, 5.26001519587677318785587544488e-2)],
        [(0, 1.97250569845378994544595329183e-2), (1, 5.91751709536136983633785987549e-2)],
        [(0, 2.95875854768068491816892993775e-2), (2, 8.87627564304205475450678981324e-2)],
        [(0, 2.41365134159266685502369798665e-1), (2, -8.84549479328286085344864962717e-1),
         (3, 9.24834003261792003115737966543e-1)],
        [(0, 3.7037037037037037037037037037e-2), (3, 1.70828608729473871279604482173e-1),
         (4, 1.25467687566822425016691814123e-1)],
        [(0, 3.7109375e-2), (3, 1.70252211019544039314978060272e-1), (4, 6.02165389804559606850219397283e-2),
         (5, -1.7578125e-2)],
        [(0, 3.70920001185047927108779319836e-2), (3, 1.70383925712239993810214054705e-1),
         (4, 1.07262030446373284651809199168e-1), (5, -1.53194377486244017527936158236e-2),
         (6, 8.27378916381402288758473766002e-3)],
        [(0, 6.24110958716075717114429577812e-1), (3, -3.36089262944694129406857109825),
         (4, -8.68219346841726006818189891453e-1), (5, 2.75920996994467083049415600797e1),
         (6, 2.01540675504778934086186788979e1), (7, -4.34898841810699588477366255144e1)],
        [(0, 4.77662536438264365890433908527e-1), (3, -2.48811461997166764192642586468),
         (4, -5.90290826836842996371446475743e-1), (5, 2.12300514481811942347288949897e1),
         (6, 1.52792336328824235832596922938e1), (7, -3.32882109689848629194453265587e1),
         (8, -2.03312017085086261358222928593e-2)],
        [(0, -9.3714243008598732571704021658e-1), (3, 5.18637242884406370830023853209),
         (4, 1.09143734899672957818500254654), (5, -8.14978701074692612513997267357),
         (6, -1.85200656599969598641566180701e1), (7, 2.27394870993505042818970056734e1),
         (8, 2.49360555267965238987089396762), (9, -3.0467644718982195003823669022)],
        [(0, 2.27331014751653820792359768449), (3, -1.05344954667372501984066689879e1),
         (4, -2.00087205822486249909675718444), (5, -1.79589318631187989172765950534e1),
         (6, 2.79488845294199600508499808837e1), (7, -2.85899827713502369474065508674),
         (8, -8.87285693353062954433549289258), (9, 1.23605671757943030647266201528e1),
         (10, 6.43392746015763530355970484046e-1)],
    ]

    /// The 8th-order weights (row 12 of a; stages 1–4 have weight 0).
    static let b: [(Int, Double)] = [
        (0, 5.42937341165687622380535766363e-2), (5, 4.45031289275240888144113950566),
        (6, 1.89151789931450038304281599044), (7, -5.8012039600105847814672114227),
        (8, 3.1116436695781989440891606237e-1), (9, -1.52160949662516078556178806805e-1),
        (10, 2.01365400804030348374776537501e-1), (11, 4.47106157277725905176885569043e-2),
    ]

    static let e5: [(Int, Double)] = [
        (0, 0.1312004499419488073250102996e-1), (5, -0.1225156446376204440720569753e+1),
        (6, -0.4957589496572501915214079952), (7, 0.1664377182454986536961530415e+1),
        (8, -0.3503288487499736816886487290), (9, 0.3341791187130174790297318841),
        (10, 0.8192320648511571246570742613e-1), (11, -0.2235530786388629525884427845e-1),
    ]

    /// b̂ of the 3rd-order estimate: nonzero at stages 0, 8 and 11 only.
    static let bhh: [(Int, Double)] = [
        (0, 0.244094488188976377952755905512), (8, 0.733846688281611857341361741547),
        (11, 0.220588235294117647058823529412e-1),
    ]

    /// e3 = b − b̂, formed as SciPy forms it (b's entries minus b̂'s).
    static let e3: [(Int, Double)] = b.map { j, weight in
        (j, weight - (bhh.first { $0.0 == j }?.1 ?? 0))
    }

    /// out = base + h Σ_t w_t k_{j_t} (base nil: h Σ_t w_t k_{j_t}) over `terms` (j_t, w_t), the
    /// stages of length n side by side in `stages`. Four terms per pass over the entries (padded
    /// with weight 0 on stage 0, which every combination reads anyway), so that each pass reads
    /// few arrays and its loop vectorizes.
    static func combine(_ terms: [(Int, Double)], stages k: [Double], base: [Double]?, step h: Double,
                        into out: inout [Double]) {
        let n = out.count, count = terms.count
        func term(_ t: Int) -> (Int, Double) { t < count ? (terms[t].0, h * terms[t].1) : (0, 0) }
        k.withUnsafeBufferPointer { kb in
            out.withUnsafeMutableBufferPointer { ob in
                let k0 = kb.baseAddress!, o = ob.baseAddress!
                for chunk in stride(from: 0, to: count, by: 4) {
                    let (j0, w0) = term(chunk), (j1, w1) = term(chunk + 1)
                    let (j2, w2) = term(chunk + 2), (j3, w3) = term(chunk + 3)
                    let p0 = k0 + j0 * n, p1 = k0 + j1 * n, p2 = k0 + j2 * n, p3 = k0 + j3 * n
                    if chunk > 0 {
                        for i in 0..<n { o[i] += w0 * p0[i] + w1 * p1[i] + w2 * p2[i] + w3 * p3[i] }
                    } else if let base {
                        base.withUnsafeBufferPointer { yb in
                            for i in 0..<n { o[i] = yb[i] + (w0 * p0[i] + w1 * p1[i] + w2 * p2[i] + w3 * p3[i]) }
                        }
                    } else {
                        for i in 0..<n { o[i] = w0 * p0[i] + w1 * p1[i] + w2 * p2[i] + w3 * p3[i] }
                    }
                }
            }
        }
    }
}
