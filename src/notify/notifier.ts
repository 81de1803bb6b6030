/**
 * The push seam: where a car's `P` alerts and the server's own authentication alerts go. The
 * logging implementation is the default; push channels (APNs, FCM, Expo, mail, webhooks) plug in
 * behind the same interface.
 */
export interface Alert {
  ownerId: number;
  ownerName: string;
  vehicleId: string;
  /** 'A' alert, 'I' info, 'E' error code (text is `<vehicletype>,<code>,<data>`). */
  type: string;
  text: string;
  time: Date;
}

export interface Notifier {
  notify(alert: Alert): Promise<void>;
  close(): Promise<void>;
}
