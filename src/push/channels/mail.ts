import { createTransport, type Transporter } from 'nodemailer';
import {
  describeError,
  type PushChannel,
  type PushMessage,
  type PushTarget,
  type SendResult,
} from '../types.js';

export interface MailOptions {
  /** SMTP URL, e.g. smtps://user:password@mail.example.com:465 or smtp://localhost:25. */
  smtpUrl: string;
  /** From address. */
  sender: string;
  /** Extra CA certificates (PEM) for STARTTLS/SMTPS to a private relay. */
  ca?: string;
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** E-mail over SMTP (nodemailer): subscriptions of push type `mail` whose key is the address. */
export class MailChannel implements PushChannel {
  readonly name = 'mail';
  readonly pushTypes = ['mail'] as const;
  readonly #transport: Transporter;

  constructor(private readonly options: MailOptions) {
    this.#transport = options.ca
      ? createTransport({ url: options.smtpUrl, tls: { ca: options.ca } } as Parameters<
          typeof createTransport
        >[0])
      : createTransport(options.smtpUrl);
  }

  async send(target: PushTarget, message: PushMessage): Promise<SendResult> {
    const to = target.pushKeyValue.trim();
    if (!to.includes('@')) return { status: 'failed', reason: 'no e-mail address (unsubscribed)' };
    const names: Record<string, string> = { A: 'alert', I: 'information', E: 'vehicle error' };
    try {
      const info = await this.#transport.sendMail({
        from: this.options.sender,
        to,
        subject: `OVMS notification type ${message.type} from ${message.vehicleId}`,
        text: `${message.text}\n\n-- \nOVMS ${names[message.type] ?? message.type} from ${message.vehicleId} at ${message.time}\n`,
        html:
          `<p>${escapeHtml(message.text).replace(/\n/g, '<br>')}</p>` +
          `<p style="color:#666;font-size:small">OVMS ${escapeHtml(names[message.type] ?? message.type)} from ` +
          `<b>${escapeHtml(message.vehicleId)}</b> at ${escapeHtml(message.time)}</p>`,
      });
      return { status: 'delivered', detail: String(info.messageId ?? '') };
    } catch (error) {
      const code = Number((error as { responseCode?: unknown }).responseCode);
      const reason = describeError(error);
      // 5xx: refused for good (no such mailbox, policy); anything else (4xx, network): later.
      return code >= 500 && code < 600 ? { status: 'failed', reason } : { status: 'retry', reason };
    }
  }

  async close(): Promise<void> {
    this.#transport.close();
  }
}
