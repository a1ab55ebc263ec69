// Package redisadapter makes a sioloop server a member of a Redis cluster
// of Socket.IO servers, Go and Node alike: it speaks the wire format of
// @socket.io/redis-adapter 8.3 (createAdapter, the classic pub/sub
// variant), so sioloop nodes and official Node nodes serve one cluster.
//
//	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:6379"})
//	cluster := redisadapter.New(rdb, nil) // key "socket.io", requests time out after 5s
//	defer cluster.Close()
//	io := sio.NewServer(&sio.Options{Adapter: cluster.Adapter})
//
// # Wire format
//
// Read from @socket.io/redis-adapter 8.3's dist/index.js and notepack.io
// 3.0 (its MessagePack codec); this package implements it, it copies none
// of it. <key> is Options.Key ("socket.io"), <nsp> the namespace's name.
//
// Channels, per namespace:
//
//	<key>#<nsp>#            broadcasts to the whole namespace (or to several rooms)
//	<key>#<nsp>#<room>#     broadcasts to exactly one room
//	<key>-request#<nsp>#    requests to every node
//	<key>-response#<nsp>#   answers (every node reads them, keeps its own)
//	<key>-response#<nsp>#<uid>#  answers to the node uid, when the answering
//	                        node has publishOnSpecificResponseChannel
//
// A node subscribes to the pattern <key>#<nsp>#* and to the three others;
// the number of nodes is PUBSUB NUMSUB of the request channel (each node
// holds one subscriber connection), and a node's uid is random per start.
//
// A broadcast is the MessagePack array [uid, packet, opts]:
//
//	packet  {type: 2, data: [event, args...], nsp: "/..."} (+ id with acks)
//	opts    {rooms: [...], except: [...], flags: {volatile?, compress?, timeout?, ...}}
//
// The packet is the one socket.io builds before encoding: type is EVENT
// (2) even when data holds binary, which travels as MessagePack bin.
// notepack.io writes a JavaScript number as the smallest integer format
// when it is integral, else float 64; undefined as nil (and reads fixext
// d4 00 00 as undefined); a Buffer or typed array as bin (it reads ext 0
// as an ArrayBuffer); a Date as the timestamp extension (-1); an object's
// undefined and function members are left out. A node drops its own
// messages (same uid) and those of another namespace.
//
// sioloop never decodes a broadcast into Go values: it transcodes the
// JSON payload it writes to its clients (binary as socket.io-parser's
// placeholders {"_placeholder":true,"num":N}) to MessagePack directly, and
// MessagePack it receives to that JSON plus attachments (bin, ext 0 and
// other ext's data become attachments; a timestamp becomes the ISO string
// JSON.stringify writes for a Date; undefined is null in an array and an
// absent member in an object).
//
// Requests are JSON objects {uid, requestId?, type, ...} on the request
// channel, except BROADCAST (with acks), which is MessagePack because its
// packet may hold binary; a reader tells them apart by the first byte
// ('{' is JSON). The types:
//
//	0 SOCKETS            {rooms}             → {requestId, sockets: [id...]}
//	1 ALL_ROOMS          {}                  → {requestId, rooms: [...]}
//	2 REMOTE_JOIN        {opts, rooms}       no answer
//	3 REMOTE_LEAVE       {opts, rooms}       no answer
//	4 REMOTE_DISCONNECT  {opts, close}       no answer
//	5 REMOTE_FETCH       {opts}              → {requestId, sockets: [{id, handshake, rooms, data}]}
//	6 SERVER_SIDE_EMIT   {data: [event, args...]} (+ requestId when an answer is awaited)
//	                                         → {type: 6, requestId, data} on the shared response channel
//	7 BROADCAST          {packet, opts}      → {type: 8, requestId, clientCount} once,
//	                                           then {type: 9, requestId, packet: <first ack arg>} per
//	                                           client (MessagePack)
//
// REMOTE_JOIN, REMOTE_LEAVE and REMOTE_DISCONNECT of adapters before 7.0
// name one socket ({sid, room}) and are answered {requestId}; both forms
// are served. The requester waits for NUMSUB−1 answers (SERVER_SIDE_EMIT:
// the other nodes) until the request timeout. handshake is socket.handshake
// as JSON: {headers (lower-case names), time (Date.toString()), address,
// xdomain, secure, issued (ms), url, query, auth}. Answers from sioloop
// nodes add their uid, which Node nodes ignore.
//
// # Departures
//
// The official adapter applies a node's own REMOTE_JOIN, REMOTE_LEAVE and
// REMOTE_DISCONNECT when Redis echoes them back; sioloop applies them
// locally at once and ignores its own echo. A broadcast with acks waits
// for one client count per node, the node count being the last one
// measured (NUMSUB, every second and at each request: an event loop never
// waits for Redis), as Node's serverCount() races the same way. Answers
// to SOCKETS, ALL_ROOMS and REMOTE_FETCH, which wait for this node's
// loops, are computed on a goroutine each.
//
// # Beyond the official adapter: membership
//
// The official adapter waits for NUMSUB−1 answers until its timeout and
// then throws away what came (socket.io-redis-adapter#506, #367). Here a
// request waits only for live nodes: every 200 ms of its wait it recounts
// the nodes (a killed node's connection is gone from Redis, so its answer
// is no longer awaited) and, sioloop nodes publishing their uid on
// <key>-heartbeat# every HeartbeatInterval, it stops waiting for one not
// heard from within HeartbeatTimeout. On timeout — RequestsTimeout, or the
// per-call one (io.Timeout(d).FetchSockets()) — it returns the answers
// that came with a *RequestError naming the silent sioloop nodes by uid
// and counting the silent nodes without a heartbeat (Node nodes).
//
// # Beyond the official adapter: no sticky sessions
//
// Cluster.Announce claims a node id through Redis (the key
// <key>-node#<id>, "<uid> <address>", leased for HeartbeatTimeout and
// renewed by its holder) and Cluster.PeerAddr answers from the directory
// of every node's key, read once a second: pass the id to
// eio.Options.NodeID and the Cluster to loop.Options.Peers, and a request
// a load balancer sends to the wrong sioloop node is forwarded to the
// session's node over a direct connection (package loop). Redis only
// tells the nodes where the others are. Official Node nodes neither
// announce nor forward: a round-robin balancer needs sioloop nodes only.
//
// # Emitters
//
// A process that is not a member publishes to the cluster's sockets
// through an Emitter, as @socket.io/redis-emitter 5.1 does and in its
// encoding: a broadcast [uid "emitter", packet, opts] on the namespace's
// or the one room's channel, and REMOTE_JOIN, REMOTE_LEAVE,
// REMOTE_DISCONNECT and SERVER_SIDE_EMIT (no ack) as JSON on the request
// channel. A node applies the messages of the official emitter and the Go
// one alike (their uid is no node's). The Emitter reuses the adapter's
// transcoding: its arguments are encoded once by the JSON parser, then
// transcoded to MessagePack.
//
// # Ownership
//
// A Cluster is one node: one subscriber connection (every namespace's
// channels), a reader goroutine that runs the other nodes' messages
// (broadcasts are posted to the event loops; requests that wait for the
// loops run on a goroutine each, started in arrival order), and a
// publisher goroutine that owns the bounded outgoing queue, FIFO across
// namespaces, pipelining what is queued together. An event loop never
// waits for Redis: a broadcast is transcoded on the caller's goroutine and
// queued; when the queue is full the message is dropped, counted
// (Cluster.Dropped) and logged. Server-side event handlers run on the
// reader goroutine and must not block on the cluster (a FetchSockets from
// one would wait for answers the reader has yet to read).
package redisadapter
