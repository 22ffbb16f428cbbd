#!/bin/sh
# /init of the kmod test guest: loads falcon.ko, runs kmod-guest, checks
# dmesg, and prints CHECK lines and a final FALCON_GUEST_DONE marker on the
# serial console. The host (tests/kmod/run) counts them.
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
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

check "insmod falcon.ko" insmod /falcon.ko
check "one device per CPU" sh -c '[ -c /dev/falcon0 ] && [ -c /dev/falcon1 ] && [ ! -e /dev/falcon2 ]'
check "ring_bytes parameter" sh -c '[ "$(cat /sys/module/falcon/parameters/ring_bytes)" = 8388608 ]'
check "bad ring_bytes refused" sh -c '! echo 12345 >/sys/module/falcon/parameters/ring_bytes'

/kmod-guest check
/kmod-guest busy
/kmod-guest hotplug
/kmod-guest stress 3
echo 8388608 >/sys/module/falcon/parameters/ring_bytes

check "rmmod falcon" rmmod falcon
check "rmmod frees the devices" sh -c '! loaded falcon && [ ! -e /dev/falcon0 ]'

cycles=0
i=0
while [ $i -lt 20 ]; do
	insmod /falcon.ko && [ -c /dev/falcon0 ] && rmmod falcon && cycles=$((cycles + 1))
	i=$((i + 1))
done
check "20 load/unload cycles" [ "$cycles" = 20 ]

if [ -f /scap.ko ]; then
	insmod /falcon.ko
	/kmod-guest bench base 20000
	/kmod-guest bench falcon 20000
	rmmod falcon
	if insmod /scap.ko; then
		/kmod-guest bench scap 20000
		rmmod scap
	else
		echo "BENCH scap FAIL: insmod scap.ko"
	fi
	/kmod-guest bench base 20000
fi

bad=$(dmesg | grep -c -E 'WARNING:|BUG:|Oops|general protection|Call Trace|rcu_preempt detected stalls|falcon: event')
check "no kernel warnings or oopses in dmesg" [ "$bad" = 0 ]
[ "$bad" = 0 ] || dmesg | grep -A12 -E 'WARNING:|BUG:|Oops|general protection' | head -40 | sed 's/^/DMESG /'
echo "FALCON_GUEST_DONE"
poweroff -f
