// Writes audio as an RTP capture (libpcap format, Ethernet/IPv4/UDP/RTP, PCMU) that sipp's play_pcap_audio replays
// with the capture's timing: how a sipp far end "speaks" in tests (sipp ships only DTMF and one A-law sample).
import { encodeMulaw } from '../../src/media/codec/g711.js';

const PCAP_GLOBAL_HEADER_BYTES = 24;
const PCAP_RECORD_HEADER_BYTES = 16;
const ETHERNET_BYTES = 14;
const IPV4_BYTES = 20;
const UDP_BYTES = 8;
const RTP_BYTES = 12;
const FRAME_SAMPLES = 160; // 20 ms at 8 kHz

function ipv4Checksum(header: Buffer): number {
  let sum = 0;
  for (let i = 0; i < header.length; i += 2) sum += header.readUInt16BE(i);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/** One 20 ms PCMU packet per frame, 20 ms apart, from 127.0.0.1:40000 to 127.0.0.1:40002 (sipp rewrites both). */
export function pcmuPcap(pcm8k: Int16Array): Buffer {
  const frames = Math.ceil(pcm8k.length / FRAME_SAMPLES);
  const packetBytes = ETHERNET_BYTES + IPV4_BYTES + UDP_BYTES + RTP_BYTES + FRAME_SAMPLES;
  const out = Buffer.alloc(PCAP_GLOBAL_HEADER_BYTES + frames * (PCAP_RECORD_HEADER_BYTES + packetBytes));
  out.writeUInt32LE(0xa1b2c3d4, 0); // magic, microsecond timestamps
  out.writeUInt16LE(2, 4);
  out.writeUInt16LE(4, 6);
  out.writeUInt32LE(65535, 16); // snaplen
  out.writeUInt32LE(1, 20); // LINKTYPE_ETHERNET
  let offset = PCAP_GLOBAL_HEADER_BYTES;
  const ssrc = 0x52494e47;
  for (let frame = 0; frame < frames; frame++) {
    const samples = new Int16Array(FRAME_SAMPLES);
    samples.set(pcm8k.subarray(frame * FRAME_SAMPLES, (frame + 1) * FRAME_SAMPLES));
    const atUs = frame * 20_000;
    out.writeUInt32LE(Math.floor(atUs / 1_000_000), offset);
    out.writeUInt32LE(atUs % 1_000_000, offset + 4);
    out.writeUInt32LE(packetBytes, offset + 8);
    out.writeUInt32LE(packetBytes, offset + 12);
    let p = offset + PCAP_RECORD_HEADER_BYTES;
    // Ethernet: zero MACs, type IPv4.
    out.writeUInt16BE(0x0800, p + 12);
    p += ETHERNET_BYTES;
    const ip = out.subarray(p, p + IPV4_BYTES);
    ip.writeUInt8(0x45, 0);
    ip.writeUInt16BE(IPV4_BYTES + UDP_BYTES + RTP_BYTES + FRAME_SAMPLES, 2);
    ip.writeUInt8(64, 8); // TTL
    ip.writeUInt8(17, 9); // UDP
    ip.writeUInt32BE(0x7f000001, 12);
    ip.writeUInt32BE(0x7f000001, 16);
    ip.writeUInt16BE(ipv4Checksum(ip), 10);
    p += IPV4_BYTES;
    out.writeUInt16BE(40000, p);
    out.writeUInt16BE(40002, p + 2);
    out.writeUInt16BE(UDP_BYTES + RTP_BYTES + FRAME_SAMPLES, p + 4);
    p += UDP_BYTES;
    out.writeUInt8(0x80, p);
    out.writeUInt8((frame === 0 ? 0x80 : 0) | 0, p + 1); // marker on the first packet, payload type 0 (PCMU)
    out.writeUInt16BE(frame & 0xffff, p + 2);
    out.writeUInt32BE(frame * FRAME_SAMPLES, p + 4);
    out.writeUInt32BE(ssrc, p + 8);
    p += RTP_BYTES;
    Buffer.from(encodeMulaw(samples)).copy(out, p);
    offset += PCAP_RECORD_HEADER_BYTES + packetBytes;
  }
  return out;
}
