/**
 * The figures chapter prose shows inline (`<Measure of="ch3.mqttPublish20" />`), each computed by
 * the engines with the inputs the sentence around it names. A figure the build cannot compute
 * (an engine not landed yet) is simply absent, and the page says so instead of guessing.
 */
import { courseHandshake } from './handshake.ts';
import { layerBytes, mqttAcks, mqttPublish, wsFrame } from './overhead.ts';
import { SAMPLE_TOPIC } from './samples.ts';
import type { CourseFigures, TwoWaysResult } from './types.ts';

const bytes = (n: number) => `${n.toLocaleString('en-US')} bytes`;
const msText = (n: number) => `${n.toLocaleString('en-US', { maximumFractionDigits: 1 })} ms`;

export function chapter2Figures(): CourseFigures {
  const plain = courseHandshake({ latencyMs: 50, tls: false, mqttVersion: '3.1.1' });
  const tls = courseHandshake({ latencyMs: 50, tls: true, mqttVersion: '3.1.1' });
  return {
    'ch2.acceptExample': `${plain.accept.accept} from the key ${plain.accept.key}`,
    'ch2.wsHandshakeBytes': bytes(plain.websocket.handshakeBytes),
    'ch2.mqttHandshakeBytes': bytes(plain.mqtt.handshakeBytes),
    'ch2.wsFirstSendMs': msText(plain.websocket.firstSendMs),
    'ch2.mqttFirstSendMs': msText(plain.mqtt.firstSendMs),
    'ch2.wsFirstSendTlsMs': msText(tls.websocket.firstSendMs),
    'ch2.mqttFirstSendTlsMs': msText(tls.mqtt.firstSendMs),
    'ch2.wsBytesBeforeTls': bytes(tls.websocket.bytesBefore),
    'ch2.mqttBytesBeforeTls': bytes(tls.mqtt.bytesBefore),
  };
}

export function chapter3Figures(): CourseFigures {
  return {
    'ch3.mqttPublish20': bytes(mqttPublish(20, SAMPLE_TOPIC, 0, '3.1.1').length),
    'ch3.wsUnmasked20': bytes(wsFrame(20, false).length),
    'ch3.wsMasked20': bytes(wsFrame(20, true).length),
    'ch3.mqttWire20': bytes(layerBytes(mqttPublish(20, SAMPLE_TOPIC, 0, '3.1.1').length, 'tls')),
    'ch3.wsWire20': bytes(layerBytes(wsFrame(20, true).length, 'tls')),
    // One QoS 0 PUBLISH against a QoS 2 PUBLISH and its three acknowledgements, each in its own segment.
    'ch3.qos0Wire20': bytes(layerBytes(mqttPublish(20, SAMPLE_TOPIC, 0, '3.1.1').length, 'tcpip')),
    'ch3.qos2Wire20': bytes(
      layerBytes(mqttPublish(20, SAMPLE_TOPIC, 2, '3.1.1').length, 'tcpip') +
        mqttAcks(2, '3.1.1').reduce((sum, a) => sum + layerBytes(a.bytes.length, 'tcpip'), 0),
    ),
  };
}

export function chapter1Figures(run: TwoWaysResult): CourseFigures {
  const p50 = (v: { p50: number } | null) => (v ? msText(v.p50) : 'nothing delivered');
  return {
    'ch1.mqttLatencyP50': p50(run.mqtt.latencyMs),
    'ch1.wsLatencyP50': p50(run.websocket.latencyMs),
    'ch1.mqttFanout': String(run.mqtt.fanoutPerReading),
    'ch1.wsFanout': String(run.websocket.fanoutPerReading),
  };
}
