#!/usr/bin/env python3
"""make-variants.py — derives the edited fixture trees from host-2core/ (copied from a real machine
by capture-host.sh). Run from this folder; rewrites the variant folders. Each edit is described in
README.md; the bytes of every file not named here are host-2core's."""
import os
import re
import shutil

HOST = "host-2core"


def copy_tree(name):
    shutil.rmtree(name, ignore_errors=True)
    shutil.copytree(HOST, name)


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def read(path):
    with open(path) as f:
        return f.read()


def drop_sys(root):
    shutil.rmtree(os.path.join(root, "sys"), ignore_errors=True)


# --- cgroup v1 container: Docker-style, cpu and cpuacct mounted together, own cgroup at the
# mount roots (the /docker/<id> path of /proc/self/cgroup does not exist under them), a quota of
# 1.5 CPUs and a 4 GiB memory limit. cpuacct.usage and memory usage are the host's files scaled.
def cgroup_v1():
    name = "cgroup-v1-container"
    copy_tree(name)
    cid = "/docker/4f1c2b8e9d0a7c6b5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d"
    for t, usage_ns, mem in (("t0", 52_000_000_000, 1_610_612_736), ("t1", 52_750_000_000, 1_660_944_384)):
        root = f"{name}/{t}"
        host_stat = read(f"{HOST}/{t}/sys/fs/cgroup/memory/process_api/a358d58e60e700ece3e5aca33fc19e7d/memory.stat")
        drop_sys(root)
        write(f"{root}/proc/self/cgroup",
              f"12:memory:{cid}\n11:cpu,cpuacct:{cid}\n10:pids:{cid}\n1:name=systemd:{cid}\n0::/system.slice/containerd.service\n")
        cg = f"{root}/sys/fs/cgroup"
        write(f"{cg}/cpu,cpuacct/cpu.cfs_quota_us", "150000\n")
        write(f"{cg}/cpu,cpuacct/cpu.cfs_period_us", "100000\n")
        write(f"{cg}/cpu,cpuacct/cpuacct.usage", f"{usage_ns}\n")
        write(f"{cg}/memory/memory.usage_in_bytes", f"{mem}\n")
        write(f"{cg}/memory/memory.limit_in_bytes", "4294967296\n")
        # The host's memory.stat with total_inactive_file set to 256 MiB.
        write(f"{cg}/memory/memory.stat", re.sub(r"(?m)^total_inactive_file \d+$", "total_inactive_file 268435456", host_stat))


# --- cgroup v2 container: pure v2 host, cgroup namespace (0::/), 2 CPUs quota, 2 GiB limit.
# cpu.stat has this host's unified cpu.stat format (/sys/fs/cgroup/unified/cpu.stat); memory.*
# follow Documentation/admin-guide/cgroup-v2.rst (this host's v2 hierarchy has no memory controller).
def cgroup_v2():
    name = "cgroup-v2-container"
    copy_tree(name)
    for t, usage, mem, inactive in (("t0", 81_234_567, 734_003_200, 104_857_600), ("t1", 82_734_567, 744_488_960, 104_857_600)):
        root = f"{name}/{t}"
        drop_sys(root)
        write(f"{root}/proc/self/cgroup", "0::/\n")
        cg = f"{root}/sys/fs/cgroup"
        write(f"{cg}/cgroup.controllers", "cpuset cpu io memory hugetlb pids rdma misc\n")
        write(f"{cg}/cpu.max", "200000 100000\n")
        write(f"{cg}/cpu.stat",
              f"usage_usec {usage}\nuser_usec {usage * 4 // 5}\nsystem_usec {usage - usage * 4 // 5}\n"
              "nr_periods 1250\nnr_throttled 17\nthrottled_usec 402117\nnr_bursts 0\nburst_usec 0\n")
        write(f"{cg}/memory.current", f"{mem}\n")
        write(f"{cg}/memory.max", "2147483648\n")
        anon = mem - inactive - 209_715_200
        write(f"{cg}/memory.stat",
              f"anon {anon}\nfile {inactive + 209_715_200}\nkernel 12582912\nkernel_stack 1474560\npagetables 4194304\n"
              "sec_pagetables 0\npercpu 288\nsock 0\nvmalloc 0\nshmem 0\nzswap 0\nzswapped 0\nfile_mapped 52428800\n"
              "file_dirty 0\nfile_writeback 0\nswapcached 0\nanon_thp 0\nfile_thp 0\nshmem_thp 0\n"
              f"inactive_anon {anon}\nactive_anon 0\ninactive_file {inactive}\nactive_file 209715200\n"
              "unevictable 0\nslab_reclaimable 5242880\nslab_unreclaimable 2097152\nslab 7340032\n"
              "workingset_refault_anon 0\nworkingset_refault_file 0\nworkingset_activate_anon 0\n"
              "workingset_activate_file 0\nworkingset_restore_anon 0\nworkingset_restore_file 0\n"
              "workingset_nodereclaim 0\npgscan 0\npgsteal 0\npgfault 183045\npgmajfault 12\n")
    # the unified cpu.stat lines of this host, for the record
    assert os.path.exists(f"{name}/t1/sys/fs/cgroup/cpu.stat")


# --- 96 cores: the host's /proc/stat with cpu0..cpu95, each core's counters made from the host's
# cpu0 and cpu1 lines (core i takes cpu(i % 2) plus i * 1000 idle ticks and i user ticks per second
# of the interval), and the aggregate line summed. The other files are host-2core's.
def many_cores():
    name = "many-cores-96"
    copy_tree(name)
    for t, extra in (("t0", 0), ("t1", 1)):
        path = f"{name}/{t}/proc/stat"
        lines = read(f"{HOST}/{t}/proc/stat").split("\n")
        cores = {int(l.split()[0][3:]): [int(x) for x in l.split()[1:]] for l in lines if re.match(r"cpu\d", l)}
        new = []
        for i in range(96):
            c = list(cores[i % 2])
            c[0] += i * (1 + extra * (i % 7))   # user
            c[3] += i * 1000 + extra * (i % 5)  # idle
            c[4] += extra * (i % 3)             # iowait
            new.append(c)
        total = [sum(col) for col in zip(*new)]
        rest = [l for l in lines if not l.startswith("cpu")]
        out = ["cpu  " + " ".join(map(str, total))] + [f"cpu{i} " + " ".join(map(str, c)) for i, c in enumerate(new)]
        write(path, "\n".join(out + rest))


# --- odd spacing and old formats, hand-edited from the host's files:
# /proc/stat: tabs and runs of spaces, trailing spaces, 8 columns (a 2.6.24 kernel: no guest
# fields), no newline at the end of the file; /proc/meminfo: no MemAvailable (before 3.14), so
# used memory falls back to MemFree + Buffers + Cached, and tabs after the colons; /proc/diskstats:
# 14 fields (before 4.18) next to 20-field lines, and partitions, loop and dm devices that must not
# be counted; /proc/net/dev: a counter touching the interface name (eth0:262819579), and in t1
# 1,250,000 more bytes received and 500,000 more sent on eth0, 9,999 more each way on lo (which
# must not count).
def odd_spacing():
    name = "odd-spacing"
    copy_tree(name)
    for t in ("t0", "t1"):
        root = f"{name}/{t}/proc"
        lines = read(f"{HOST}/{t}/proc/stat").rstrip("\n").split("\n")
        out = []
        for l in lines:
            if l.startswith("cpu"):
                f = l.split()
                out.append(f[0] + "\t " + "  ".join(f[1:9]) + "   ")
            else:
                out.append(l)
        write(f"{root}/stat", "\n".join(out))  # no final newline
        mem = [l for l in read(f"{HOST}/{t}/proc/meminfo").split("\n") if not l.startswith("MemAvailable")]
        write(f"{root}/meminfo", "\n".join(re.sub(r":\s+", ":\t", l, count=1) for l in mem))
        disks = []
        for l in read(f"{HOST}/{t}/proc/diskstats").rstrip("\n").split("\n"):
            f = l.split()
            if f[2] == "vda":
                base = [int(x) for x in f[3:17]]
                disks.append("%4s %7s %s %s" % (f[0], f[1], f[2], " ".join(map(str, base[:11]))))      # 14 fields
                part = [x // 2 for x in base]
                disks.append("%4s %7s %s %s" % (f[0], "1", "vda1", " ".join(map(str, part[:11]))))
                disks.append("%4s %7s %s %s 0 0 0 0 0 0" % ("253", "0", "dm-0", " ".join(map(str, part[:11]))))
                disks.append("%4s %7s %s %s 0 0 0 0 0 0" % ("259", "0", "nvme0n1", " ".join(map(str, [x // 4 for x in base[:11]]))))
                disks.append("%4s %7s %s %s 0 0 0 0 0 0" % ("259", "1", "nvme0n1p1", " ".join(map(str, [x // 4 for x in base[:11]]))))
            else:
                disks.append(l)
        write(f"{root}/diskstats", "\n".join(disks) + "\n")
        net = []
        for l in read(f"{HOST}/{t}/proc/net/dev").split("\n"):
            iface, _, rest = l.partition(":")
            if t == "t1" and iface.strip() in ("eth0", "lo"):
                f = rest.split()
                more = (1_250_000, 500_000) if iface.strip() == "eth0" else (9_999, 9_999)
                f[0] = str(int(f[0]) + more[0])
                f[8] = str(int(f[8]) + more[1])
                l = iface + ": " + " ".join(f)
            net.append(l)
        write(f"{root}/net/dev", re.sub(r"eth0:\s+", "eth0:", "\n".join(net)))


cgroup_v1()
cgroup_v2()
many_cores()
odd_spacing()
