# shellcheck shell=bash
# Guest kernels for the kmod qemu matrix: which Debian kernel each short name
# means, and how to get its image and headers without installing another
# suite's packages. Sourced by tests/kmod/run.
#
#   5.10  bullseye-security, fetched with apt-get download through a private
#         apt configuration (the system's sources stay untouched), unpacked
#         with dpkg-deb -x; built with gcc-12 (its own gcc-10 is not in bookworm)
#   6.1   bookworm: the installed linux-image-amd64 / linux-headers-amd64
#   6.12  bookworm-security's 6.12 (+deb12, same upstream release as trixie's
#         +deb13) fetched with apt-get download and unpacked, so it builds
#         with bookworm's gcc-12 and no trixie chroot
#   6.12-trixie  trixie(-security)'s current linux-image-amd64 (+deb13),
#         fetched like 5.10; its headers want gcc-14 and an objtool/pahole
#         linked against glibc >= 2.38, so falcon.ko is built by dkms inside
#         a debootstrap'd trixie chroot (cached under $FALCON_CACHE/chroot)
#
# kernel_prepare VER sets: KREL (uname -r of the guest), VMLINUZ, KSRC (the
# headers directory to build against), KMODS (the image's lib/modules/KREL),
# and BUILD_CHROOT (empty, or the chroot the module is built in; KSRC is
# then a path inside it).

FALCON_CACHE=${FALCON_CACHE:-/var/cache/falcon-test}
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg

# A private apt setup for SUITE (bullseye, trixie): its own sources, lists
# and cache under $FALCON_CACHE/apt-SUITE.
suite_apt() {
	local suite=$1 d=$FALCON_CACHE/apt-$1
	mkdir -p "$d/lists/partial" "$d/cache/archives/partial"
	cat >"$d/sources.list" <<SRC
deb [signed-by=$KEYRING] http://deb.debian.org/debian $suite main
deb [signed-by=$KEYRING] http://deb.debian.org/debian-security $suite-security main
SRC
	: >"$d/status"
	APT_OPTS=(-o "Dir::Etc::SourceList=$d/sources.list" -o Dir::Etc::SourceParts=/dev/null
		-o "Dir::State::status=$d/status"
		-o "Dir::State::Lists=$d/lists" -o "Dir::Cache=$d/cache"
		-o Debug::NoLocking=1)
	if [ -z "$(find "$d/lists" -maxdepth 1 -name '*Packages*' -mmin -1440 2>/dev/null)" ]; then
		apt-get "${APT_OPTS[@]}" update -q >/dev/null
	fi
}

# First dependency of package $1 whose name matches the regex $2.
pkg_dep() {
	apt-cache "${APT_OPTS[@]}" show --no-all-versions "$1" 2>/dev/null |
		sed -n 's/^Depends: //p' | tr ',|' '\n\n' | sed 's/^ *//; s/ .*//' |
		grep -E "$2" | head -1
}

# Downloads and unpacks image + headers for metapackage suffix $2 into $1.
fetch_unpack() {
	local dir=$1 flavour=$2 img hdr common kbuild
	[ -f "$dir/.complete" ] && return 0
	img=$(pkg_dep "linux-image-$flavour" '^linux-image-')
	hdr=$(pkg_dep "linux-headers-$flavour" '^linux-headers-')
	[ -n "$img" ] && [ -n "$hdr" ] || {
		echo "kernels: cannot resolve linux-image/headers-$flavour" >&2
		return 1
	}
	common=$(pkg_dep "$hdr" '^linux-headers-.*-common')
	kbuild=$(pkg_dep "$hdr" '^linux-kbuild-')
	rm -rf "$dir" && mkdir -p "$dir/debs" "$dir/root"
	(cd "$dir/debs" && apt-get "${APT_OPTS[@]}" download -q "$img" "$hdr" "$common" "$kbuild" 2>&1 |
		grep -v 'unsandboxed' >&2 || true)
	local deb
	for deb in "$dir"/debs/*.deb; do dpkg-deb -x "$deb" "$dir/root"; done
	rm -rf "$dir/debs"
	# Debian's headers Makefile includes the common tree by absolute path.
	local mk
	for mk in "$dir"/root/usr/src/linux-headers-*-amd64/Makefile; do
		sed -i "s|^include /usr/src/|include $dir/root/usr/src/|" "$mk"
	done
	touch "$dir/.complete"
}

# trixie_chroot DIR: a minimal trixie with gcc-14, pahole and dkms, made
# once with debootstrap (the .complete marker makes it reusable).
trixie_chroot() {
	local c=$1
	[ -f "$c/.complete" ] && return 0
	rm -rf "$c" && mkdir -p "$c"
	debootstrap --variant=minbase \
		--include=gcc-14,make,libc6-dev,libelf1t64,libssl3t64,zlib1g,pahole,dkms,kmod \
		trixie "$c" http://deb.debian.org/debian >"$c.log" 2>&1 || {
		echo "kernels: debootstrap trixie failed, see $c.log" >&2
		return 1
	}
	touch "$c/.complete"
}

# chroot_kernel SRC_ROOT CHROOT KREL: hard-links the unpacked headers, kbuild
# and modules into the chroot, with the headers' include path back at /usr/src.
chroot_kernel() {
	local src=$1 c=$2 krel=$3 mk
	[ -f "$c/.kernel-$krel" ] && return 0
	rm -rf "$c"/usr/src/linux-headers-"${krel%-amd64}"-* "$c/usr/lib/linux-kbuild-${krel%-amd64}" \
		"$c/usr/lib/modules/$krel"
	mkdir -p "$c/usr/src" "$c/usr/lib/modules"
	cp -al "$src"/usr/src/linux-headers-"${krel%-amd64}"-* "$c/usr/src/" &&
		cp -al "$src"/usr/lib/linux-kbuild-* "$c/usr/lib/" &&
		cp -al "$(ls -d "$src"/lib/modules/"$krel" "$src"/usr/lib/modules/"$krel" 2>/dev/null | head -1)" \
			"$c/usr/lib/modules/" || return 1
	mk=$c/usr/src/linux-headers-$krel/Makefile
	sed "s|^include $src/usr/src/|include /usr/src/|" "$mk" >"$mk.new" && mv "$mk.new" "$mk"
	touch "$c/.kernel-$krel"
}

kernel_prepare() {
	local ver=$1 dir
	BUILD_CHROOT=
	case $ver in
	5.10)
		suite_apt bullseye
		dir=$FALCON_CACHE/kernels/5.10
		fetch_unpack "$dir" amd64 || return 1
		;;
	6.12-trixie)
		suite_apt trixie
		dir=$FALCON_CACHE/kernels/6.12-trixie
		fetch_unpack "$dir" amd64 || return 1
		trixie_chroot "$FALCON_CACHE/chroot/trixie" || return 1
		BUILD_CHROOT=$FALCON_CACHE/chroot/trixie
		;;
	6.12)
		APT_OPTS=()
		dir=$FALCON_CACHE/kernels/6.12
		fetch_unpack "$dir" 6.12-amd64 || return 1
		;;
	6.1)
		KREL=$(dpkg-query -W -f='${Depends}' linux-image-amd64 | sed 's/^linux-image-//; s/ .*//')
		VMLINUZ=/boot/vmlinuz-$KREL
		KSRC=/usr/src/linux-headers-$KREL
		KMODS=/lib/modules/$KREL
		[ -f "$VMLINUZ" ] && [ -d "$KSRC" ] || {
			echo "kernels: linux-image/headers $KREL not installed (scripts/install-deps test)" >&2
			return 1
		}
		return 0
		;;
	*)
		echo "kernels: unknown kernel '$ver' (5.10, 6.1, 6.12 or 6.12-trixie)" >&2
		return 1
		;;
	esac
	VMLINUZ=$(ls "$dir"/root/boot/vmlinuz-* | head -1)
	KREL=${VMLINUZ##*/vmlinuz-}
	KSRC=$dir/root/usr/src/linux-headers-$KREL
	KMODS=$dir/root/lib/modules/$KREL
	if [ -n "$BUILD_CHROOT" ]; then
		chroot_kernel "$dir/root" "$BUILD_CHROOT" "$KREL" || return 1
		KSRC=/usr/src/linux-headers-$KREL
	fi
}
