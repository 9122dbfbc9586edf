// Chromium's side of the Parley benchmark (bench/compare.py drives it over DevTools).
//
// N participants live in this one page. Each has its own getUserMedia stream (Chromium's
// fake capture plays the frame-stamped 720p30 Y4M, so every frame carries its source
// index in the same pixel layout as Parley's bots) and one RTCPeerConnection per other
// participant, as in a peer-to-peer mesh: libwebrtc encodes once per connection, decodes
// every remote video, and each received video is rendered in an on-screen <video>.
// Candidates are filtered to loopback and there are no ICE servers: nothing leaves lo.
//
// Python reads everything through window.bench: start(n), resetWindow(), report(),
// drainSamples(), joinTrial(), stop().
"use strict";

const FREEZE_GAP_MS = 200;   // a frame gap longer than this is a freeze (issue 7)
const MAX_SAMPLES = 16;      // luma samples held for Python's PSNR until drained

// Each <video> is the size Parley's in-call screen paints it at in its 1280x720 window
// (bench/rendering_bot.py), so both sides paint the same pixels: in a 1:1 the other
// person fills the stage and the self-view floats small; in a mesh every tile, the
// self-view included, is a grid cell. Sizes are CSS pixels at a device pixel ratio of 1.
const STAGE_TILE = { width: 1248, height: 574 };
const FLOATING_SELF_VIEW = { width: 240, height: 135 };
const GRID_TILE = { width: 616, height: 283 };   // a 2x2 grid on the same stage

function tileSizes(n) {
  return n === 2 ? { remote: STAGE_TILE, self: FLOATING_SELF_VIEW }
                 : { remote: GRID_TILE, self: GRID_TILE };
}

function placeVideo(video, size) {
  video.style.width = `${size.width}px`;
  video.style.height = `${size.height}px`;
  video.style.objectFit = "cover";
}

function cameraStream() {
  return navigator.mediaDevices.getUserMedia({
    video: { width: 1280, height: 720, frameRate: 30 },
    audio: true,
  });
}

function isLoopback(candidate) {
  // "candidate:<foundation> <component> <proto> <priority> <address> <port> typ ..."
  const address = candidate.candidate.split(" ")[4] || "";
  return address.startsWith("127.") || address === "::1";
}

function preferVp8(pc) {
  // Parley (aiortc) sends VP8: compare the same codec.
  const codecs = RTCRtpReceiver.getCapabilities("video").codecs
    .filter(c => c.mimeType === "video/VP8" || c.mimeType === "video/rtx");
  for (const t of pc.getTransceivers()) {
    if (t.receiver.track.kind === "video") t.setCodecPreferences(codecs);
  }
}

async function keepResolution(pc, maxBitrateBps) {
  // Parley keeps sending 1280x720; without this libwebrtc may scale down under CPU load,
  // and PSNR against the 720p source would compare different pictures. `maxBitrateBps`
  // (0 = libwebrtc's own limit) caps the encoder, to compare quality at one bitrate.
  for (const sender of pc.getSenders()) {
    if (!sender.track || sender.track.kind !== "video") continue;
    const params = sender.getParameters();
    params.degradationPreference = "maintain-resolution";
    if (maxBitrateBps > 0) params.encodings.forEach(e => { e.maxBitrate = maxBitrateBps; });
    try { await sender.setParameters(params); } catch (e) { console.warn("degradation", e); }
  }
}

function toBase64(bytes) {
  let text = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    text += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  }
  return btoa(text);
}

function percentile(values, q) {
  if (!values.length) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const pos = (sorted.length - 1) * q / 100;
  const lo = Math.floor(pos), hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

// Watches one received <video> with requestVideoFrameCallback.
class ReceiveMonitor {
  constructor(video, label, sampleEvery) {
    this.video = video;
    this.label = label;
    this.sampleEvery = sampleEvery;
    this.firstFrameAt = null;   // performance.now() timeline, ms
    this.samples = [];
    this.reset();
    this.onFrame = this.onFrame.bind(this);
    video.requestVideoFrameCallback(this.onFrame);
  }

  reset() {
    this.windowStart = performance.now();
    this.frames = 0;
    this.maxGapMs = 0;
    this.freezes = 0;
    this.captureToPresentMs = [];   // sender capture -> submitted for composition
    this.receiveToPresentMs = [];   // last packet received -> submitted for composition
    this.last = null;
    this.width = 0;
    this.height = 0;
  }

  onFrame(now, md) {
    if (this.firstFrameAt === null) this.firstFrameAt = now;
    if (this.last) {
      const newFrames = md.presentedFrames - this.last.presentedFrames;
      if (newFrames > 0) {
        this.frames += newFrames;
        // callbacks can skip presented frames; spread the interval over them
        const gap = (md.presentationTime - this.last.presentationTime) / newFrames;
        this.maxGapMs = Math.max(this.maxGapMs, gap);
        if (gap > FREEZE_GAP_MS) this.freezes += 1;
      }
    }
    this.last = md;
    this.width = md.width;
    this.height = md.height;
    if (md.captureTime !== undefined) {
      this.captureToPresentMs.push(md.presentationTime - md.captureTime);
    }
    if (md.receiveTime !== undefined) {
      this.receiveToPresentMs.push(md.presentationTime - md.receiveTime);
    }
    if (this.sampleEvery > 0 && md.presentedFrames % this.sampleEvery === 0
        && this.samples.length < MAX_SAMPLES) {
      this.sample();
    }
    this.video.requestVideoFrameCallback(this.onFrame);
  }

  async sample() {
    // The decoded picture itself (I420 with software decoding): its Y plane is what
    // Python compares with the source frame named by the stamp.
    let frame;
    try {
      frame = new VideoFrame(this.video);
    } catch (e) {
      return;
    }
    try {
      const width = frame.visibleRect.width, height = frame.visibleRect.height;
      const buffer = new Uint8Array(frame.allocationSize());
      const layout = await frame.copyTo(buffer);
      let luma;
      if (["I420", "I420A", "I422", "I444", "NV12"].includes(frame.format)) {
        const { offset, stride } = layout[0];
        luma = new Uint8Array(width * height);
        for (let y = 0; y < height; y++) {
          luma.set(buffer.subarray(offset + y * stride, offset + y * stride + width), y * width);
        }
      } else {
        return;  // RGB formats: no exact luma; skip rather than compare a converted picture
      }
      this.samples.push({ label: this.label, width, height, format: frame.format,
                          luma_b64: toBase64(luma) });
    } finally {
      frame.close();
    }
  }

  summary(windowS) {
    return {
      label: this.label,
      frames: this.frames,
      fps: this.frames / windowS,
      width: this.width,
      height: this.height,
      max_gap_ms: this.maxGapMs,
      freezes: this.freezes,
      capture_to_present_ms_p50: percentile(this.captureToPresentMs, 50),
      capture_to_present_ms_p95: percentile(this.captureToPresentMs, 95),
      receive_to_present_ms_p50: percentile(this.receiveToPresentMs, 50),
      receive_to_present_ms_p95: percentile(this.receiveToPresentMs, 95),
      latency_samples: this.captureToPresentMs.length,
    };
  }
}

class Mesh {
  constructor() {
    this.participants = [];   // {name, stream}
    this.connections = [];    // RTCPeerConnection
    this.monitors = [];
    this.selfViews = [];      // each participant's own camera, painted as Parley does
    this.sizes = tileSizes(2);
    this.windowStats = null;
  }

  // A muted <video> of the participant's own camera (the self-view every calling app
  // shows, Parley included).
  addSelfView(participant) {
    const video = document.createElement("video");
    video.autoplay = true;
    video.muted = true;
    video.playsInline = true;
    video.srcObject = participant.stream;
    placeVideo(video, this.sizes.self);
    document.getElementById("videos").appendChild(video);
    video.play().catch(e => console.warn("play", e));
    this.selfViews.push(video);
  }

  addVideo(stream, label, sampleEvery) {
    const video = document.createElement("video");
    video.autoplay = true;
    video.playsInline = true;
    video.srcObject = stream;
    placeVideo(video, this.sizes.remote);
    document.getElementById("videos").appendChild(video);
    video.play().catch(e => console.warn("play", e));
    const monitor = new ReceiveMonitor(video, label, sampleEvery);
    this.monitors.push(monitor);
    return monitor;
  }

  // Connects participant `a` (offerer) with `b`, both directions. Resolves with the
  // monitor of the video `a` receives from `b` once the answer is applied.
  async connect(a, b, sampleEvery, maxBitrateBps = 0) {
    const pcA = new RTCPeerConnection({ iceServers: [] });
    const pcB = new RTCPeerConnection({ iceServers: [] });
    this.connections.push(pcA, pcB);
    for (const [pc, other] of [[pcA, pcB], [pcB, pcA]]) {
      pc.onicecandidate = e => {
        if (e.candidate && isLoopback(e.candidate)) other.addIceCandidate(e.candidate);
      };
    }
    let monitorAtA = null;
    const monitors = {};
    for (const [pc, receiver, sender] of [[pcA, a, b], [pcB, b, a]]) {
      pc.ontrack = e => {
        if (e.track.kind !== "video") return;
        const monitor = this.addVideo(e.streams[0], `${receiver.name}<-${sender.name}`,
                                      sampleEvery);
        if (pc === pcA) monitorAtA = monitor;
        monitors[receiver.name] = monitor;
      };
    }
    for (const track of a.stream.getTracks()) pcA.addTrack(track, a.stream);
    preferVp8(pcA);
    await pcA.setLocalDescription(await pcA.createOffer());
    await pcB.setRemoteDescription(pcA.localDescription);
    for (const track of b.stream.getTracks()) pcB.addTrack(track, b.stream);
    preferVp8(pcB);
    await pcB.setLocalDescription(await pcB.createAnswer());
    await pcA.setRemoteDescription(pcB.localDescription);
    await keepResolution(pcA, maxBitrateBps);
    await keepResolution(pcB, maxBitrateBps);
    return { pcA, pcB, monitors, atA: () => monitorAtA };
  }

  // `stream`: a camera that outlives this mesh (not stopped by stop()).
  async addParticipant(name, stream = null) {
    const participant = { name, stream: stream || await cameraStream(), owned: !stream };
    this.participants.push(participant);
    return participant;
  }

  async stats() {
    const totals = { bytes_received: 0, frames_decoded: 0, decode_s: 0, jitter_delay_s: 0,
                     jitter_emitted: 0, bytes_sent: 0, frames_encoded: 0, encode_s: 0,
                     limitations: {}, encoders: {}, decoders: {} };
    for (const pc of this.connections) {
      (await pc.getStats()).forEach(s => {
        if (s.kind !== "video") return;
        if (s.type === "inbound-rtp") {
          totals.bytes_received += s.bytesReceived || 0;
          totals.frames_decoded += s.framesDecoded || 0;
          totals.decode_s += s.totalDecodeTime || 0;
          totals.jitter_delay_s += s.jitterBufferDelay || 0;
          totals.jitter_emitted += s.jitterBufferEmittedCount || 0;
          if (s.decoderImplementation) totals.decoders[s.decoderImplementation] = 1;
        } else if (s.type === "outbound-rtp") {
          totals.bytes_sent += s.bytesSent || 0;
          totals.frames_encoded += s.framesEncoded || 0;
          totals.encode_s += s.totalEncodeTime || 0;
          const reason = s.qualityLimitationReason || "none";
          totals.limitations[reason] = (totals.limitations[reason] || 0) + 1;
          if (s.encoderImplementation) totals.encoders[s.encoderImplementation] = 1;
        }
      });
    }
    return totals;
  }

  async resetWindow() {
    for (const m of this.monitors) m.reset();
    this.windowStart = performance.now();
    this.windowStats = await this.stats();
  }

  async report() {
    const windowS = (performance.now() - this.windowStart) / 1000;
    const end = await this.stats(), start = this.windowStats;
    const streams = this.monitors.length || 1;
    const delta = key => end[key] - start[key];
    return {
      window_s: windowS,
      participants: this.participants.length,
      receivers: this.monitors.map(m => m.summary(windowS)),
      video_bitrate_bps_per_stream: delta("bytes_received") * 8 / windowS / streams,
      decoded_fps_per_stream: delta("frames_decoded") / windowS / streams,
      decode_ms_per_frame: delta("decode_s") * 1000 / Math.max(delta("frames_decoded"), 1),
      encode_ms_per_frame: delta("encode_s") * 1000 / Math.max(delta("frames_encoded"), 1),
      jitter_buffer_ms_per_frame:
        delta("jitter_delay_s") * 1000 / Math.max(delta("jitter_emitted"), 1),
      quality_limitation: end.limitations,
      encoders: Object.keys(end.encoders),
      decoders: Object.keys(end.decoders),
    };
  }

  drainSamples() {
    const out = [];
    for (const m of this.monitors) out.push(...m.samples.splice(0));
    return out;
  }

  stop() {
    for (const pc of this.connections) pc.close();
    for (const p of this.participants) {
      if (p.owned) p.stream.getTracks().forEach(t => t.stop());
    }
    for (const m of this.monitors) { m.video.srcObject = null; m.video.remove(); }
    for (const v of this.selfViews) { v.srcObject = null; v.remove(); }
    this.selfViews = [];
    this.participants = [];
    this.connections = [];
    this.monitors = [];
  }
}

function waitFor(predicate, timeoutMs) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const poll = () => {
      if (predicate()) return resolve();
      if (performance.now() - started > timeoutMs) return reject(new Error("timed out"));
      setTimeout(poll, 5);
    };
    poll();
  });
}

let mesh = new Mesh();
let joinCameras = null;   // kept running between joins, like a camera on in a lobby

function sleep(ms) { return new Promise(resolve => setTimeout(resolve, ms)); }

window.bench = {
  // n participants, every pair connected; resolves once every <video> shows a frame.
  // Every `sampleEvery` presented frames a receiver keeps a luma sample (0 = never).
  async start(n, sampleEvery = 0, maxBitrateBps = 0) {
    mesh.stop();
    mesh = new Mesh();
    mesh.sizes = tileSizes(n);
    const people = [];
    for (let i = 0; i < n; i++) people.push(await mesh.addParticipant(`p${i}`));
    for (const person of people) mesh.addSelfView(person);
    for (let i = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++) await mesh.connect(people[i], people[j], sampleEvery, maxBitrateBps);
    }
    const expected = n * (n - 1);
    await waitFor(() => mesh.monitors.length === expected
                        && mesh.monitors.every(m => m.firstFrameAt !== null), 30000);
    return { participants: n, received_videos: mesh.monitors.length };
  },
  resetWindow: () => mesh.resetWindow(),
  report: () => mesh.report(),
  drainSamples: () => mesh.drainSamples(),
  stop: () => mesh.stop(),

  // One join: `existing` already has its camera on; the joiner (camera on, as after a
  // lobby) creates the offer at t0. Returns ms from createOffer to the first frame of
  // `existing` reaching requestVideoFrameCallback at the joiner. Both cameras start
  // once, before the first join, and keep running.
  async joinTrial() {
    mesh.stop();
    mesh = new Mesh();
    if (joinCameras === null) {
      joinCameras = [await cameraStream(), await cameraStream()];
      await sleep(1000);
    }
    const existing = await mesh.addParticipant("existing", joinCameras[0]);
    const joiner = await mesh.addParticipant("joiner", joinCameras[1]);
    const t0 = performance.now();
    const link = await mesh.connect(joiner, existing, 0);
    await waitFor(() => link.atA() !== null && link.atA().firstFrameAt !== null, 20000);
    const ms = link.atA().firstFrameAt - t0;
    mesh.stop();
    return ms;
  },
};
