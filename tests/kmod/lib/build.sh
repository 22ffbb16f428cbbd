# shellcheck shell=bash
# Builds falcon.ko for one guest kernel through DKMS (a private DKMS tree
# under $FALCON_CACHE, so nothing is registered on the host), Debian's scap
# module for the overhead baseline, and the guest initramfs.

REPO=${REPO:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)}

# dkms_build NAME SRC_DIR: add/build/install SRC_DIR (a dkms source tree)
# for $KREL against $KSRC; sets KO to the installed module. With
# $BUILD_CHROOT set, the chroot's dkms runs, its tree lives in the chroot's
# /build/dkms and $KSRC is a path inside the chroot.
dkms_build() {
	local name=$1 src=$2 root=${BUILD_CHROOT:-} tree ver
	tree=${root:+/build/dkms}
	tree=${tree:-$FALCON_CACHE/dkms/$KREL}
	ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$src/dkms.conf")
	mkdir -p "$root$tree/var" "$root$tree/src" "$root$tree/modules/$KREL"
	rm -rf "${root}${tree:?}/src/$name-$ver"
	cp -r "$src" "$root$tree/src/$name-$ver"
	local d=(dkms --dkmstree "$tree/var" --sourcetree "$tree/src" --installtree "$tree/modules")
	[ -n "$root" ] && d=(chroot "$root" env PATH=/usr/sbin:/usr/bin:/sbin:/bin "${d[@]}")
	"${d[@]}" remove "$name/$ver" --all >/dev/null 2>&1 || true
	"${d[@]}" add -m "$name" -v "$ver" >"$WORK/dkms-$name.log" 2>&1 &&
		"${d[@]}" build -m "$name" -v "$ver" -k "$KREL" --kernelsourcedir "$KSRC" \
			>>"$WORK/dkms-$name.log" 2>&1 &&
		"${d[@]}" install -m "$name" -v "$ver" -k "$KREL" --kernelsourcedir "$KSRC" \
			--no-depmod >>"$WORK/dkms-$name.log" 2>&1 || {
		cat "$root$tree/var/$name/$ver/$KREL/x86_64/log/make.log" >>"$WORK/dkms-$name.log" 2>/dev/null
		return 1
	}
	cp "$root$tree/var/$name/$ver/$KREL/x86_64/log/make.log" "$WORK/make-$name.log"
	KO=$(find "$root$tree/modules/$KREL" -name "$name.ko*" | head -1)
	[ -n "$KO" ]
}

build_falcon_ko() {
	"$REPO/dkms/make-tree" "$WORK/falcon-src" >/dev/null && dkms_build falcon "$WORK/falcon-src"
}

# Debian's falcosecurity-scap-dkms sources, fetched with apt-get download.
build_scap_ko() {
	local d=$FALCON_CACHE/scap
	mkdir -p "$d"
	if [ ! -d "$d/root/usr/src" ]; then
		(cd "$d" && apt-get download -q falcosecurity-scap-dkms 2>&1 | grep -v unsandboxed >&2 || true)
		dpkg-deb -x "$d"/falcosecurity-scap-dkms_*.deb "$d/root" || return 1
	fi
	dkms_build scap "$(ls -d "$d"/root/usr/src/scap-*)"
}

build_guest_prog() {
	(cd "$REPO" && cargo build --release -q -p falcon-kmod-guest) &&
		GUEST_BIN=$REPO/target/release/kmod-guest
}

# The falcon binary (already built by `make test` before the suites, so
# this is a no-op there). Sets FALCON_BIN, or leaves it empty.
build_falcon_bin() {
	FALCON_BIN=$REPO/target/release/falcon
	(cd "$REPO" && cargo build --release -q -p falcon-engine --bin falcon) || FALCON_BIN=
}

# copy_with_libs BIN DEST ROOT: BIN at ROOT/DEST plus the libraries ldd names
copy_with_libs() {
	local bin=$1 dest=$2 root=$3 lib
	install -D -m755 "$bin" "$root$dest"
	for lib in $(ldd "$bin" | grep -o '/[^ ]*'); do
		mkdir -p "$root$(dirname "$lib")"
		cp -L "$lib" "$root$lib"
	done
}

# make_initramfs OUT FALCON_KO [SCAP_KO]
make_initramfs() {
	local out=$1 ko=$2 scap=${3:-} root
	root=$(mktemp -d "$WORK/initramfs.XXXXXX")
	mkdir -p "$root"/{bin,sbin,etc,proc,sys,dev,run,tmp,mnt,lib,lib64,usr/bin,usr/sbin}
	cp /bin/busybox "$root/bin/"
	for a in $("$root/bin/busybox" --list); do
		[ -e "$root/bin/$a" ] || ln -s busybox "$root/bin/$a"
	done
	install -m755 "$REPO/tests/kmod/guest/init.sh" "$root/init"
	copy_with_libs "$GUEST_BIN" /kmod-guest "$root"
	if [ -n "${FALCON_BIN:-}" ]; then
		copy_with_libs "$FALCON_BIN" /falcon/falcon "$root"
		strip --strip-debug "$root/falcon/falcon"
		cp "$REPO/rules/falcon_rules.yaml" "$REPO/rules/falcon_rules.local.yaml" "$root/falcon/"
		cat >"$root/falcon/falcon.yaml" <<'YAML'
json_output: true
json_include_output_property: true
priority: debug
stdout_output:
  enabled: false
file_output:
  enabled: true
  keep_alive: true
  filename: /tmp/alerts.json
YAML
	fi
	cp "$ko" "$root/falcon.ko"
	[ -n "$scap" ] && cp "$scap" "$root/scap.ko"
	echo 'root:x:0:0:root:/root:/bin/sh' >"$root/etc/passwd"
	echo 'root:x:0:' >"$root/etc/group"
	echo 'root:$6$falcon$guestonly:19000:0:99999:7:::' >"$root/etc/shadow"
	chmod 600 "$root/etc/shadow"
	(cd "$root" && find . -print0 | cpio --null -o -H newc --quiet | gzip -1) >"$out"
	rm -rf "$root"
}

# checkpatch.pl from Debian's linux-source-6.1 (fetched once, cached).
# Prints its path.
checkpatch_path() {
	local d=$FALCON_CACHE/checkpatch cp
	cp=$(find "$d" -name checkpatch.pl 2>/dev/null | head -1)
	if [ -z "$cp" ]; then
		mkdir -p "$d"
		(cd "$d" && apt-get download -q linux-source-6.1 2>&1 | grep -v unsandboxed >&2 || true)
		dpkg-deb --fsys-tarfile "$d"/linux-source-6.1_*.deb |
			tar -x --wildcards '*linux-source-6.1.tar.xz' -O |
			tar -xJ -C "$d" --wildcards '*/scripts/checkpatch.pl' \
				'*/scripts/spelling.txt' '*/scripts/const_structs.checkpatch'
		rm -f "$d"/linux-source-6.1_*.deb
		cp=$(find "$d" -name checkpatch.pl | head -1)
	fi
	[ -n "$cp" ] && echo "$cp"
}

# checkpatch --strict over kmod/. The version checks are the compat
# layer's job (kmod/compat.h), so those two warnings are not counted.
run_checkpatch() {
	local cp
	cp=$(checkpatch_path) || return 1
	perl "$cp" --no-tree --strict --ignore LINUX_VERSION_CODE,CONSTANT_COMPARISON \
		-q -f "$REPO"/kmod/*.c "$REPO"/kmod/*.h
}
