import SystemProfiler
import Testing

@Suite struct ScheduleTests {
    @Test func slotsAreDueAtStartPlusKTimesInterval() {
        var s = Schedule(start: 1_000, interval: 100)
        var due: [UInt64] = []
        for _ in 0..<3 {
            due.append(s.nextDeadline!)
            #expect(s.begin(at: s.nextDeadline! + 40) != nil)
            s.finish()
        }
        // 40 ns late every time, and still no drift.
        #expect(due == [1_100, 1_200, 1_300])
        #expect(s.late == 0)
    }

    @Test func aWholeIntervalLateSkipsAndCountsTheMissedSlots() {
        var s = Schedule(start: 0, interval: 100)
        // Slot 1 due at 100; woken at 350: slots 1 and 2 are past, slot 3 (300–400) runs now.
        #expect(s.begin(at: 350) == 3)
        #expect(s.late == 2)
        s.finish()
        #expect(s.nextDeadline == 400)
    }

    @Test func aDurationEndsAfterTheSlotDueAtTheEnd() {
        var s = Schedule(start: 0, interval: 100, duration: 1_000)
        var taken = 0
        while let deadline = s.nextDeadline {
            guard s.begin(at: deadline) != nil else { break }
            taken += 1
            s.finish()
        }
        #expect(taken == 10)
        var late = Schedule(start: 0, interval: 100, duration: 1_000)
        #expect(late.begin(at: 5_000) == nil)
        #expect(late.late == 10)
    }
}
