// Package redisadapter makes a sioloop server a member of a Redis cluster
// of Socket.IO servers, Go and Node alike: it speaks the wire formats of
// @socket.io/redis-adapter 8.3 — createAdapter, the classic pub/sub
// variant (New), and createShardedAdapter, the sharded one on Redis 7's
// sharded pub/sub (NewSharded) — so sioloop nodes and official Node nodes
// serve one cluster. Every node of a cluster must use the same variant.
//
//	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:6379"})
//	cluster := redisadapter.New(rdb, nil) // key "socket.io", requests time out after 5s
//	// or: cluster := redisadapter.NewSharded(rdb, nil) // subscription mode dynamic
//	defer cluster.Close()
//	io := sio.NewServer(&sio.Options{Adapter: cluster.Adapter})
//
// The two variants share everything but the wire: a variant (classic.go,
// sharded.go) subscribes, publishes, counts the nodes, and decodes a
// message into a broadcast, a request or an answer, which one Adapter and
// one request bookkeeping (requests.go) serve; it encodes what they send.
//
// # Wire format: the classic variant
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
// # Wire format: the sharded variant
//
// Read from @socket.io/redis-adapter 8.3's dist/sharded-adapter.js and
// socket.io-adapter 2.5's dist/cluster-adapter.js (ClusterAdapter, which
// it extends). Every message is SPUBLISHed on a sharded channel:
//
//	<key>#<nsp>#          every message of the namespace (SSUBSCRIBEd by every node)
//	<key>#<nsp>#<uid>#    answers to the node uid (SSUBSCRIBEd by it)
//	<key>#<nsp>#<room>#   broadcasts to exactly one room, without ack, in
//	                      the dynamic modes (SSUBSCRIBEd by the nodes holding
//	                      the room, from its creation to its deletion there)
//
// The subscription mode says which rooms have a channel: static none,
// dynamic (the default) every room but the sockets' own-id rooms (a room
// of 20 UTF-16 units is taken for one when publishing), dynamic-private
// every room. The number of nodes is PUBSUB SHARDNUMSUB of <key>#<nsp>#;
// a node's uid is random per start (Node's: per namespace).
//
// A message is {type, data, uid, nsp}: JSON, but MessagePack (notepack.io,
// as above) when data holds binary, for the types whose data may; a reader
// tells them apart by the first byte ('{' is JSON). The types are
// ClusterAdapter's MessageType:
//
//	 1 INITIAL_HEARTBEAT          no data; answered with HEARTBEAT
//	 2 HEARTBEAT                  no data
//	 3 BROADCAST                  {packet, opts} (+ requestId with acks)
//	 4 SOCKETS_JOIN               {opts, rooms}
//	 5 SOCKETS_LEAVE              {opts, rooms}
//	 6 DISCONNECT_SOCKETS         {opts, close}
//	 7 FETCH_SOCKETS              {opts, requestId}   → 8
//	 8 FETCH_SOCKETS_RESPONSE     {requestId, sockets: [{id, handshake, rooms, data}]}
//	 9 SERVER_SIDE_EMIT           {packet: [event, args...]} (+ requestId → 10)
//	10 SERVER_SIDE_EMIT_RESPONSE  {requestId, packet: <the answer>}
//	11 BROADCAST_CLIENT_COUNT     {requestId, clientCount}, once per node
//	12 BROADCAST_ACK              {requestId, packet: <first ack arg>}, per client
//	13 ADAPTER_CLOSE              no data
//
// packet and opts are as in the classic variant (a BROADCAST's packet
// carries no id); answers go to the requester's channel. The official
// sharded adapter sends neither heartbeats nor ADAPTER_CLOSE (it is a
// ClusterAdapter without them) and ignores them; sioloop nodes send them
// (below). There are no SOCKETS and ALL_ROOMS requests: Node's
// adapter.allRooms() is local there, sioloop's Sockets and AllRooms ask
// FETCH_SOCKETS. A broadcast with acks goes on <key>#<nsp>#, as Node's,
// since the clients it awaits are counted over every node.
//
// sioloop writes a message as JSON around the payload it writes to its
// clients (nothing re-encoded without binary); with binary, that JSON,
// placeholders included, is transcoded to MessagePack. It reads a
// MessagePack message by transcoding it to JSON, its binary values as
// attachments, then as a JSON one: it walks the message's members itself,
// keeping the packet's payload as it came for NewBroadcastPacket (which
// validates it), and leaves only the small members to encoding/json.
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
// <key>-heartbeat# (sharded: a HEARTBEAT on each namespace's channel, an
// INITIAL_HEARTBEAT when it starts, an ADAPTER_CLOSE when it closes)
// every HeartbeatInterval, it stops waiting for one not heard from within
// HeartbeatTimeout. On timeout — RequestsTimeout, or the
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
//
// The sharded variant's dynamic modes need to know when this node gets
// or loses a room: the in-memory adapter's RoomHook tells, per loop, and
// the loops' counts are kept under a mutex taken only then (a room's
// first join or last leave on a loop; with dynamic-private, every
// connect and disconnect), which wakes a subscriber goroutine that
// SSUBSCRIBEs and SUNSUBSCRIBEs the room channels. Subscribing is
// asynchronous, as Node's: a broadcast to a room published right after
// a remote socketsJoin may reach no node holding it yet. Every channel
// goes through the one subscriber connection: against a Redis Cluster
// they would have to hash to one shard, so NewSharded serves a single
// Redis server (or primary), as the tests run it.
//
// Once Announced, a goroutine renews the node id and rereads the node
// directory every second into a table it replaces whole; PeerAddr, called
// on the event loops, reads that table with one atomic load. An Emitter
// has no goroutine: each operation publishes on the caller's.
package redisadapter
