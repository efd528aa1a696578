/// Histograms as TensorFlow's `tensorflow::histogram::Histogram` builds them: exponential bucket
/// limits (±1e-12 growing by 1.1 up to 1e20, then ±DBL_MAX, and 0), each value counted in the first
/// bucket whose limit is above it, runs of empty buckets collapsed into one when encoded.
public struct HistogramBuilder: Sendable {
    public struct Histogram: Sendable, Equatable {
        public var min: Double
        public var max: Double
        public var num: Double
        public var sum: Double
        public var sumSquares: Double
        public var bucketLimits: [Double]
        public var buckets: [Double]
    }

    /// TensorFlow's default bucket limits (1,549 of them).
    public static let defaultLimits: [Double] = {
        var positive: [Double] = []
        var v = 1.0e-12
        while v < 1.0e20 {
            positive.append(v)
            v *= 1.1
        }
        positive.append(.greatestFiniteMagnitude)
        return positive.reversed().map { -$0 } + [0] + positive
    }()

    /// The histogram of the finite values; nil when there are none.
    public static func histogram(of values: [Double]) -> Histogram? {
        let limits = defaultLimits
        var counts = [Double](repeating: 0, count: limits.count)
        var h = Histogram(min: .infinity, max: -.infinity, num: 0, sum: 0, sumSquares: 0, bucketLimits: [], buckets: [])
        for x in values where x.isFinite {
            // upper_bound: the first limit greater than x.
            var lo = 0, hi = limits.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if limits[mid] > x { hi = mid } else { lo = mid + 1 }
            }
            counts[Swift.min(lo, limits.count - 1)] += 1
            h.min = Swift.min(h.min, x)
            h.max = Swift.max(h.max, x)
            h.num += 1
            h.sum += x
            h.sumSquares += x * x
        }
        guard h.num > 0 else { return nil }
        var i = 0
        while i < counts.count {
            var end = limits[i]
            var count = counts[i]
            i += 1
            if count <= 0 {
                while i < counts.count && counts[i] <= 0 {
                    end = limits[i]
                    count = counts[i]
                    i += 1
                }
            }
            h.bucketLimits.append(end)
            h.buckets.append(count)
        }
        return h
    }
}
