// kafkajs against one broker, for tests/integration/test_kafkajs.py: runs
// the admin, producer and consumer calls a kafkajs application makes and
// prints what each returned as one JSON object on stdout; the Python test
// asserts on it.  kafkajs's own log goes to stderr.
//
// usage: node kafkajs_check.js BOOTSTRAP TOPIC GROUP
//
// TOPIC is left in place, so the test can read its segment files; a second
// topic, TOPIC-doomed, is created to be deleted.

'use strict'

const {
    Kafka, logLevel, CompressionTypes, ConfigResourceTypes, Partitioners,
} = require('kafkajs')

const [bootstrap, topic, groupId] = process.argv.slice(2)
const doomed = `${topic}-doomed`
const PARTITIONS = 3
const PER_PARTITION = 10

const kafka = new Kafka({
    clientId: 'kafkajs-check',
    brokers: [bootstrap],
    logLevel: logLevel.INFO,
    logCreator: () => ({ level, log }) => {
        process.stderr.write(`${new Date().toISOString()} ${level} ${log.message} ${JSON.stringify(log)}\n`)
    },
    retry: { retries: 5 },
})

const topicConfigs = (resources) => resources.map((res) => ({
    name: res.resourceName,
    errorCode: res.errorCode,
    configs: Object.fromEntries(res.configEntries.map((e) => [e.configName,
        { value: e.configValue, source: e.configSource, isDefault: e.isDefault }])),
}))

async function describeTopic (admin) {
    const res = await admin.describeConfigs({
        includeSynonyms: false,
        resources: [{ type: ConfigResourceTypes.TOPIC, name: topic }],
    })
    return topicConfigs(res.resources)
}

// Every message with a key, a header and a value that says where it went.
function messages (codec) {
    const out = []
    for (let i = 0; i < PARTITIONS * PER_PARTITION / 2; i++) {
        const partition = i % PARTITIONS
        out.push({ partition, key: `k-${codec}-${i}`, value: `v-${codec}-${i}`, headers: { codec } })
    }
    return out
}

async function consumeAll (out, admin) {
    // A short long-poll, so the member heartbeats between fetches and
    // leaves without waiting out a fetch.
    const consumer = kafka.consumer({ groupId, sessionTimeout: 30000, heartbeatInterval: 200, maxWaitTimeInMs: 200 })
    let resolveHeartbeat
    const heartbeat = new Promise((resolve) => { resolveHeartbeat = resolve })
    consumer.on(consumer.events.HEARTBEAT, () => resolveHeartbeat())
    await consumer.connect()
    await consumer.subscribe({ topics: [topic], fromBeginning: true })
    const seen = []
    let resolveAll
    const all = new Promise((resolve) => { resolveAll = resolve })
    await consumer.run({
        autoCommit: false,
        eachMessage: async ({ topic: t, partition, message }) => {
            seen.push({
                topic: t,
                partition,
                offset: message.offset,
                key: message.key.toString(),
                value: message.value.toString(),
                headers: Object.fromEntries(Object.entries(message.headers).map(([k, v]) => [k, v.toString()])),
            })
            if (seen.length === PARTITIONS * PER_PARTITION) {
                resolveAll()
            }
        },
    })
    await all
    await heartbeat
    out.consumed = seen

    // Commit each partition's next offset, as an application does once
    // it processed what it read.
    const next = {}
    for (const m of seen) {
        next[m.partition] = Math.max(next[m.partition] || 0, Number(m.offset) + 1)
    }
    await consumer.commitOffsets(Object.entries(next).map(([partition, offset]) => ({
        topic, partition: Number(partition), offset: String(offset),
    })))

    // While the member is in the group.
    out.describeGroupsActive = (await admin.describeGroups([groupId])).groups.map((g) => ({
        groupId: g.groupId,
        errorCode: g.errorCode,
        state: g.state,
        protocolType: g.protocolType,
        protocol: g.protocol,
        members: g.members.map((m) => ({ clientId: m.clientId, clientHost: m.clientHost })),
    }))
    out.listGroups = (await admin.listGroups()).groups
    out.fetchOffsets = (await admin.fetchOffsets({ groupId, topics: [topic] })).map((t) => ({
        topic: t.topic,
        partitions: t.partitions.map((p) => ({ partition: p.partition, offset: p.offset }))
            .sort((a, b) => a.partition - b.partition),
    }))

    await consumer.disconnect()
    out.describeGroupsEmpty = (await admin.describeGroups([groupId])).groups.map((g) => ({
        groupId: g.groupId, state: g.state, members: g.members.length,
    }))
}

async function main () {
    const out = {}
    const admin = kafka.admin()
    await admin.connect()

    out.created = await admin.createTopics({
        waitForLeaders: true,
        topics: [{
            topic,
            numPartitions: PARTITIONS,
            replicationFactor: 1,
            configEntries: [{ name: 'retention.ms', value: '123456' }, { name: 'cleanup.policy', value: 'delete' }],
        }, { topic: doomed, numPartitions: 1 }],
    })
    // kafkajs answers false, not an error, for a topic that exists.
    out.createdAgain = await admin.createTopics({ topics: [{ topic, numPartitions: 1 }] })
    out.metadata = (await admin.fetchTopicMetadata({ topics: [topic] })).topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => ({ partitionId: p.partitionId, leader: p.leader, errorCode: p.partitionErrorCode }))
            .sort((a, b) => a.partitionId - b.partitionId),
    }))
    out.configsCreated = await describeTopic(admin)

    // AlterConfigs replaces the topic's whole set of overrides.
    await admin.alterConfigs({
        validateOnly: false,
        resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configEntries: [{ name: 'retention.ms', value: '654321' }] }],
    })
    out.configsAltered = await describeTopic(admin)

    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, idempotent: false })
    await producer.connect()
    out.produced = []
    // GZIP is the codec kafkajs carries; the others need a plug-in codec.
    for (const [name, codec] of [['none', CompressionTypes.None], ['gzip', CompressionTypes.GZIP]]) {
        const res = await producer.send({ topic, acks: -1, compression: codec, messages: messages(name) })
        out.produced.push({ codec: name, metadata: res.map((r) => ({ partition: r.partition, errorCode: r.errorCode, baseOffset: r.baseOffset })) })
    }
    await producer.disconnect()
    out.offsets = (await admin.fetchTopicOffsets(topic)).map((p) => ({ partition: p.partition, low: p.low, high: p.high }))
        .sort((a, b) => a.partition - b.partition)

    await consumeAll(out, admin)

    await admin.deleteTopics({ topics: [doomed] })
    out.topicsAfterDelete = await admin.listTopics()
    await admin.disconnect()
    process.stdout.write(JSON.stringify(out) + '\n')
}

main().catch((err) => {
    process.stderr.write(`kafkajs_check: ${err.stack || err}\n`)
    process.exit(1)
})
