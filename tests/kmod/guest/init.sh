#!/bin/sh
# /init of the kmod test guest: loads falcon.ko, runs kmod-guest, checks
# dmesg, and prints CHECK lines and a final FALCON_GUEST_DONE marker on the
# serial console. The host (tests/kmod/run) counts them.
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mkdir -p /dev/pts
mount -t devpts devpts /dev/pts
mount -t tmpfs tmp /tmp
mkdir -p /mnt
ip link set lo up 2>/dev/null || ifconfig lo 127.0.0.1 up
echo "FALCON_GUEST kernel=$(uname -r) cpus=$(grep -c ^processor /proc/cpuinfo) up=$(cut -d' ' -f1 /proc/uptime)"

check() {
	name=$1
	shift
	if "$@" >/tmp/check.out 2>&1; then
		echo "CHECK $name ok"
	else
		echo "CHECK $name FAIL: $(tr '\n' ' ' </tmp/check.out | cut -c1-300)"
	fi
}
loaded() { grep -q "^$1 " /proc/modules; }

# capture_self=1: kmod-guest checks the syscalls it makes itself
check "insmod falcon.ko" insmod /falcon.ko capture_self=1
check "one device per CPU" sh -c '[ -c /dev/falcon0 ] && [ -c /dev/falcon1 ] && [ ! -e /dev/falcon2 ]'
check "ring_bytes parameter" sh -c '[ "$(cat /sys/module/falcon/parameters/ring_bytes)" = 8388608 ]'
check "bad ring_bytes refused" sh -c '! echo 12345 >/sys/module/falcon/parameters/ring_bytes'

/kmod-guest check
/kmod-guest busy
/kmod-guest hotplug
/kmod-guest stress 3
echo 8388608 >/sys/module/falcon/parameters/ring_bytes
echo 0 >/sys/module/falcon/parameters/capture_self
/kmod-guest self

check "rmmod falcon" rmmod falcon
check "rmmod frees the devices" sh -c '! loaded falcon && [ ! -e /dev/falcon0 ]'

# 20 cycles of load, capture (rings allocated and mapped), unload; the
# rings' memory (16 MiB per cycle with 2 CPUs) must come back: a leak of
# even a fifth of it per cycle would cost more than 64 MiB
vm() { sed -n 's/^MemFree: *\([0-9]*\) kB/\1/p' /proc/meminfo; }
vm0=$(vm)
cycles=0
i=0
while [ $i -lt 20 ]; do
	insmod /falcon.ko capture_self=1 && [ -c /dev/falcon0 ] && /kmod-guest cycle && rmmod falcon &&
		cycles=$((cycles + 1))
	i=$((i + 1))
done
vm1=$(vm)
check "20 load/capture/unload cycles" [ "$cycles" = 20 ]
echo "MEMFREE before=${vm0}kB after=${vm1}kB"
check "unload frees the rings (MemFree $((vm1 - vm0)) kB)" [ $((vm0 - vm1)) -lt 65536 ]

# The falcon binary with the repository's rules, live in this guest: on the
# eBPF probe (its CO-RE object loads unchanged in every guest kernel), and
# on falcon.ko once the engine reads the module. Actions: read /etc/shadow,
# a shell with a terminal, a write below /usr/bin.
run_falcon() {
	kind=$1
	log=/tmp/falcon-$kind.log
	rm -f /tmp/alerts.json
	/falcon/falcon -c /falcon/falcon.yaml -o engine.kind="$kind" \
		-r /falcon/falcon_rules.yaml -r /falcon/falcon_rules.local.yaml >"$log" 2>&1 &
	fpid=$!
	i=0
	while [ $i -lt 180 ] && kill -0 $fpid 2>/dev/null &&
		! grep -q "Opening 'syscall' source" "$log"; do
		sleep 1
		i=$((i + 1))
	done
	if ! kill -0 $fpid 2>/dev/null; then
		if grep -q "not part of this build" "$log"; then
			echo "SKIP falcon on $kind: $(tail -1 "$log")"
		else
			echo "CHECK falcon captures on $kind FAIL: $(tail -3 "$log" | tr '\n' ' ')"
			tail -40 "$log" | sed 's/^/FALCONLOG /'
		fi
		return
	fi
	check "falcon captures on $kind" grep -q "Opening 'syscall' source" "$log"
	sleep 2
	cat /etc/shadow >/dev/null
	/kmod-guest ptyshell
	echo x >/usr/bin/falcon-written
	rm -f /usr/bin/falcon-written
	sleep 5
	kill -INT $fpid
	wait $fpid
	for rule in "Sensitive File Read By Untrusted Program" \
		"Terminal Shell Spawned By Unexpected Parent" \
		"Write Below Binary Directory"; do
		check "falcon on $kind alerts: $rule" grep -q "$rule" /tmp/alerts.json
	done
	grep -q "Write Below Binary Directory" /tmp/alerts.json ||
		tail -5 "$log" | sed 's/^/FALCONLOG /'
}

if [ -x /falcon/falcon ]; then
	ulimit -l unlimited
	run_falcon modern_ebpf
	if insmod /falcon.ko; then
		run_falcon kmod
		rmmod falcon
	fi
fi

# getpid overhead: falcon.ko vs Debian's scap module, same boot, five
# interleaved rounds (each module attaches its hooks only while consumed)
if [ -f /scap.ko ]; then
	if insmod /falcon.ko capture_self=1 && insmod /scap.ko; then
		for round in 1 2 3 4 5; do
			for m in base falcon scap; do
				/kmod-guest bench $m 20000
			done
		done
		rmmod scap
		rmmod falcon
	else
		echo "BENCH scap FAIL: insmod falcon.ko + scap.ko"
	fi
fi

bad=$(dmesg | grep -c -E 'WARNING:|BUG:|Oops|general protection|Call Trace|rcu_preempt detected stalls|falcon: event')
check "no kernel warnings or oopses in dmesg" [ "$bad" = 0 ]
[ "$bad" = 0 ] || dmesg | grep -A12 -E 'WARNING:|BUG:|Oops|general protection' | head -40 | sed 's/^/DMESG /'
echo "FALCON_GUEST_DONE"
poweroff -f
