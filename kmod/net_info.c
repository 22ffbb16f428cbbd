// SPDX-License-Identifier: GPL-2.0-only
/*
 * SOCKADDR and SOCKTUPLE parameters.
 *
 * SOCKADDR: u8 family, then IPv4 ip(4) port(2), IPv6 ip(16) port(2), or a
 * unix path with its NUL. SOCKTUPLE: u8 family, then src ip, src port,
 * dst ip, dst port (IPv4 13 bytes, IPv6 37), or for unix the two kernel
 * socket addresses (8 + 8) and the path. IPs stay in network order, ports
 * are host order. Outbound tuples go local -> peer, accepted ones
 * peer -> local.
 *
 * Addresses come from the sock itself, never from getname(), which may
 * take the socket lock and sleep.
 */
#include <linux/net.h>
#include <linux/file.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/un.h>
#include <linux/uaccess.h>
#include <net/sock.h>
#include <net/inet_sock.h>
#include <net/ipv6.h>
#include <net/af_unix.h>
#include "falcon.h"

static u32 put_port(u8 *p, u16 port)
{
	p[0] = port & 0xff;
	p[1] = port >> 8;
	return 2;
}

void fe_sockaddr_user(struct falcon_evt *ev, const void __user *uaddr,
		      int ulen)
{
	struct sockaddr_storage ss;
	u8 buf[1 + UNIX_PATH_MAX + 1];
	u32 len = 0;

	if (!uaddr || ulen <= 0) {
		fe_empty(ev);
		return;
	}
	if (ulen > sizeof(ss))
		ulen = sizeof(ss);
	memset(&ss, 0, sizeof(ss));
	if (copy_from_user_nofault(&ss, uaddr, ulen)) {
		ev->ring->info->n_drops_pf++;
		fe_empty(ev);
		return;
	}
	switch (ss.ss_family) {
	case AF_INET: {
		struct sockaddr_in *a = (struct sockaddr_in *)&ss;

		buf[0] = FALCON_AF_INET;
		memcpy(buf + 1, &a->sin_addr.s_addr, 4);
		len = 5 + put_port(buf + 5, ntohs(a->sin_port));
		break;
	}
	case AF_INET6: {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;

		buf[0] = FALCON_AF_INET6;
		memcpy(buf + 1, a->sin6_addr.s6_addr, 16);
		len = 17 + put_port(buf + 17, ntohs(a->sin6_port));
		break;
	}
	case AF_UNIX: {
		struct sockaddr_un *a = (struct sockaddr_un *)&ss;
		u32 n = strnlen(a->sun_path, UNIX_PATH_MAX);

		buf[0] = FALCON_AF_UNIX;
		memcpy(buf + 1, a->sun_path, n);
		buf[1 + n] = 0;
		len = n + 2;
		break;
	}
	default:
		fe_empty(ev);
		return;
	}
	fe_bytes(ev, buf, len);
}

static u32 unix_tuple(u8 *buf, struct sock *sk, bool inbound)
{
	struct unix_sock *us = unix_sk(sk);
	struct sock *peer = READ_ONCE(us->peer);
	struct unix_address *addr;
	u64 a = (u64)(unsigned long)us, b = (u64)(unsigned long)peer;
	u32 n = 0;

	buf[0] = FALCON_AF_UNIX;
	memcpy(buf + 1, inbound ? &a : &b, 8);
	memcpy(buf + 9, inbound ? &b : &a, 8);
	/* the path: ours when accepting, the peer's when connecting */
	addr = inbound ? READ_ONCE(us->addr) :
	       (peer ? READ_ONCE(unix_sk(peer)->addr) : NULL);
	if (addr && addr->len > sizeof(sa_family_t)) {
		n = min_t(u32, addr->len - sizeof(sa_family_t),
			  UNIX_PATH_MAX - 1);
		memcpy(buf + 17, addr->name->sun_path, n);
		n = strnlen(buf + 17, n);
	}
	buf[17 + n] = 0;
	return 18 + n;
}

/* The tuple of socket fd; is_accept swaps it to peer -> local. */
void fe_tuple_fd(struct falcon_evt *ev, int fd, bool is_accept)
{
	u8 buf[1 + 8 + 8 + UNIX_PATH_MAX + 1];
	struct socket *sock;
	struct inet_sock *inet;
	struct sock *sk;
	u32 len = 0;
	int err;

	if (fd < 0) {
		fe_empty(ev);
		return;
	}
	sock = sockfd_lookup(fd, &err);
	if (!sock) {
		fe_empty(ev);
		return;
	}
	sk = sock->sk;
	if (!sk)
		goto out;
	inet = inet_sk(sk);
	switch (sk->sk_family) {
	case AF_INET: {
		__be32 lip = inet->inet_saddr ? inet->inet_saddr :
			     inet->inet_rcv_saddr;
		__be32 rip = inet->inet_daddr;
		u16 lport = ntohs(inet->inet_sport);
		u16 rport = ntohs(inet->inet_dport);

		buf[0] = FALCON_AF_INET;
		memcpy(buf + 1, is_accept ? &rip : &lip, 4);
		put_port(buf + 5, is_accept ? rport : lport);
		memcpy(buf + 7, is_accept ? &lip : &rip, 4);
		put_port(buf + 11, is_accept ? lport : rport);
		len = 13;
		break;
	}
#if IS_ENABLED(CONFIG_IPV6)
	case AF_INET6: {
		const struct in6_addr *lip = &sk->sk_v6_rcv_saddr;
		const struct in6_addr *rip = &sk->sk_v6_daddr;
		u16 lport = ntohs(inet->inet_sport);
		u16 rport = ntohs(inet->inet_dport);

		buf[0] = FALCON_AF_INET6;
		memcpy(buf + 1, is_accept ? rip : lip, 16);
		put_port(buf + 17, is_accept ? rport : lport);
		memcpy(buf + 19, is_accept ? lip : rip, 16);
		put_port(buf + 35, is_accept ? lport : rport);
		len = 37;
		break;
	}
#endif
	case AF_UNIX:
		len = unix_tuple(buf, sk, is_accept);
		break;
	}
out:
	sockfd_put(sock);
	if (len)
		fe_bytes(ev, buf, len);
	else
		fe_empty(ev);
}
