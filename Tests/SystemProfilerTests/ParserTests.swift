import SystemProfiler
import Testing

/// The parsers on literals: empty input, short lines, extra columns, huge counters, odd spacing.
@Suite struct ParserTests {
    static func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

    @Test func procStatOldAndNewColumnCounts() throws {
        let stat = try ProcStat.parse(Self.bytes("cpu  10 0 5 100\ncpu0\t1 2 3 4 5 6 7 8 9 10 11\nintr 5 6\n"))
        #expect(stat.total.total == 115)
        #expect(stat.cores.count == 1)
        #expect(stat.cores[0].index == 0)
        // guest (9) and guest_nice (10) are inside user and nice; the 11th column is ignored.
        #expect(stat.cores[0].times.total == 1 + 2 + 3 + 4 + 5 + 6 + 7 + 8)
        #expect(stat.cores[0].times.busy == 1 + 2 + 3 + 6 + 7 + 8)
    }

    @Test(arguments: ["", "intr 1 2\n", "cpu 1 2 3\n", "cpu 1 2 x 4\n", "cpux 1 2 3 4\ncpu 1 2 3 4\n",
                      "cpu 1 2 3 18446744073709551616\n"])
    func procStatRejects(_ text: String) {
        #expect(throws: ProcFSError.self) { try ProcStat.parse(Self.bytes(text)) }
    }

    @Test func procStatErrorsNameTheLine() {
        #expect { try ProcStat.parse(Self.bytes("cpu 1 2 3 4\ncpu0 1 2 three 4\n"), path: "fx/stat") } throws: {
            "\($0)" == "fx/stat:2: not a counter: \"three\""
        }
    }

    @Test func meminfoUnitsAndFallback() throws {
        let info = try Meminfo.parse(Self.bytes("MemTotal:  \t 1000 kB  \nMemFree: 100 kB\nBuffers: 10 kB\nCached: 20 kB\nHugePages_Total: 0\n"))
        #expect(info.memTotal == 1_024_000)
        #expect(info.memAvailable == 130 * 1024)
        #expect(info["HugePages_Total"] == 0)
        #expect(throws: ProcFSError.self) { try Meminfo.parse(Self.bytes("MemFree: 1 kB\n")) }
        #expect(throws: ProcFSError.self) { try Meminfo.parse(Self.bytes("MemTotal: 1 MB\n")) }
        #expect(throws: ProcFSError.self) { try Meminfo.parse(Self.bytes("MemTotal 1 kB\n")) }
    }

    @Test func diskstatsFieldCounts() throws {
        let text = """
               8       0 sda 18446744073709551615 2 3 4 5 6 7 8 9 10 11
             259       0 nvme0n1 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20
            """
        let stats = try ProcDiskstats.parse(Self.bytes(text))
        #expect(stats.devices.map(\.name) == ["sda", "nvme0n1"])
        #expect(stats.devices[0].readsCompleted == .max)
        #expect(stats.devices[1].sectorsWritten == 7)
        #expect(stats.devices[1].bytesWritten == 7 * 512)
        #expect(throws: ProcFSError.self) { try ProcDiskstats.parse(Self.bytes("8 0 sda 1 2 3\n")) }
        #expect(try ProcDiskstats.parse([]).devices.isEmpty)
    }

    @Test(arguments: [("sda", true), ("sda1", false), ("vdb", true), ("vdb12", false), ("xvda", true), ("xvda1", false),
                      ("nvme0n1", true), ("nvme0n1p2", false), ("mmcblk0", true), ("mmcblk0p1", false), ("dm-0", false),
                      ("md127", false), ("loop3", false), ("ram0", false), ("zram0", false), ("sr0", false), ("fd0", false)])
    func physicalDisks(_ name: String, _ counted: Bool) {
        #expect(DiskCollector.isPhysicalDisk(name) == counted)
    }

    @Test func netDevNamesTouchingCounters() throws {
        let text = """
            Inter-|   Receive                                                |  Transmit
             face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
                lo: 1 2 0 0 0 0 0 0 1 2 0 0 0 0 0 0
              eth0:12345678901 7 1 2 0 0 0 0 99 8 3 4 0 0 0 0
            """
        let dev = try ProcNetDev.parse(Self.bytes(text))
        #expect(dev.interfaces.map(\.name) == ["lo", "eth0"])
        #expect(dev.interfaces[1].receiveBytes == 12_345_678_901)
        #expect(dev.interfaces[1].transmitBytes == 99)
        #expect(dev.interfaces[1].transmitDropped == 4)
        #expect(throws: ProcFSError.self) { try ProcNetDev.parse(Self.bytes("eth0: 1 2 3\n")) }
    }

    @Test func pidStatWithParenthesesAndSpacesInTheName() throws {
        let fields = (4...52).map { $0 == 4 ? "77" : $0 == 14 ? "120" : $0 == 15 ? "30" : $0 == 20 ? "3" : $0 == 22 ? "4242" : $0 == 24 ? "900" : "0" }
        let text = "1234 (my (odd) name) S " + fields.joined(separator: " ") + "\n"
        let stat = try PIDStat.parse(Self.bytes(text))
        #expect(stat.pid == 1234)
        #expect(stat.comm == "my (odd) name")
        #expect(stat.ppid == 77)
        #expect(stat.utime == 120 && stat.stime == 30)
        #expect(stat.numThreads == 3 && stat.startTime == 4242 && stat.rssPages == 900)
        #expect(throws: ProcFSError.self) { try PIDStat.parse(Self.bytes("1234 (x) S 1 2 3\n")) }
    }

    @Test func pidStatusKernelThreadHasNoRSS() throws {
        let status = try PIDStatus.parse(Self.bytes("Name:\tkworker/0:1\nState:\tI (idle)\nPid:\t12\nPPid:\t2\nThreads:\t1\n"))
        #expect(status.residentBytes == nil)
        #expect(status.ppid == 2)
        let user = try PIDStatus.parse(Self.bytes("Name:\tpython3\nPid:\t9\nPPid:\t1\nVmHWM:\t   2048 kB\nVmRSS:\t   1024 kB\n"))
        #expect(user.residentBytes == 1_048_576 && user.peakResidentBytes == 2_097_152)
    }

    @Test func procPIDCgroupHybridAndV2() throws {
        let hybrid = try ProcPIDCgroup.parse(Self.bytes("4:memory:/process_api/abc\n2:cpu,cpuacct:/\n1:name=systemd:/x\n0::/\n"))
        #expect(hybrid.unifiedPath == "/")
        #expect(hybrid.v1Entry("cpuacct")?.controllers == ["cpu", "cpuacct"])
        #expect(hybrid.v1Entry("memory")?.path == "/process_api/abc")
        #expect(throws: ProcFSError.self) { try ProcPIDCgroup.parse(Self.bytes("garbage\n")) }
    }

    @Test func cgroupV2Files() throws {
        #expect(try CgroupV2.parseCPUMax(Self.bytes("max 100000\n")).limitCores == nil)
        #expect(try CgroupV2.parseCPUMax(Self.bytes("250000 100000\n")).limitCores == 2.5)
        #expect(try CgroupV2.parseCPUMax(Self.bytes("50000\n")).limitCores == 0.5)
        #expect(try CgroupV2.parseMemoryMax(Self.bytes("max\n")) == nil)
        #expect(try CgroupV2.parseMemoryMax(Self.bytes("2147483648\n")) == 2_147_483_648)
        #expect(try CgroupV2.parseCPUStat(Self.bytes("usage_usec 5\nuser_usec 3\nsystem_usec 2\n"))["usage_usec"] == 5)
        #expect(throws: ProcFSError.self) { try CgroupV2.parseCPUStat(Self.bytes("user_usec 3\n")) }
        #expect(throws: ProcFSError.self) { try CgroupV2.parseMemoryCurrent(Self.bytes("12 13\n")) }
        #expect(throws: ProcFSError.self) { try CgroupV2.parseCPUMax(Self.bytes("max 0\n")) }
    }

    @Test func cgroupV1Files() throws {
        #expect(try CgroupV1.parseQuota(Self.bytes("-1\n")) == -1)
        #expect(try CgroupV1.parseCounter(Self.bytes("9223372036854771712\n"), path: "memory.limit_in_bytes") >= CgroupV1.unlimitedMemory)
        #expect(try CgroupV1.parseMemoryStat(Self.bytes("cache 5\ntotal_inactive_file 7\n"))["total_inactive_file"] == 7)
        #expect(throws: ProcFSError.self) { try CgroupV1.parseMemoryStat(Self.bytes("cache five\n")) }
    }
}
