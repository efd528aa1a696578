public enum TrainScopeVersion {
    public static let current = "0.1.0"
}
