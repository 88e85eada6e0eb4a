import { describe, expect, it } from 'vitest';
import { HubspotAmountError, hubspotCurrencyExponent, hubspotMinorUnits } from '../../../../functions/providers/hubspot/hubspot-currencies';
import { hubspotDedupeKey } from '../../../../functions/providers/hubspot/hubspot-events';

describe('HubSpot amounts', () => {
  it('turns HubSpot’s decimal text into exact minor units, by the currency’s ISO 4217 exponent', () => {
    expect(hubspotMinorUnits('2000', 'eur')).toBe(200000);
    expect(hubspotMinorUnits('0.29', 'usd')).toBe(29);
    expect(hubspotMinorUnits('19.990', 'USD')).toBe(1999);
    expect(hubspotMinorUnits('1000', 'jpy')).toBe(1000);
    expect(hubspotMinorUnits('1.234', 'kwd')).toBe(1234);
    expect(hubspotCurrencyExponent('clf')).toBe(4);
  });

  it('refuses what would need rounding, a non-number and a code that is no currency', () => {
    expect(() => hubspotMinorUnits('10.999', 'usd')).toThrow(HubspotAmountError);
    expect(() => hubspotMinorUnits('1000.5', 'jpy')).toThrow(/more decimals/);
    expect(() => hubspotMinorUnits('abc', 'usd')).toThrow(/not a decimal/);
    expect(() => hubspotCurrencyExponent('xyz')).toThrow(/not an ISO 4217 currency/);
  });
});

describe('HubSpot dedupe key', () => {
  it('is portal + subscription + event id + occurredAt: the same eventId in another subscription or at another time is another event', () => {
    const event = { portalId: 62515, subscriptionId: 12345, eventId: 1, occurredAt: 1564113600000 };
    expect(hubspotDedupeKey(event)).toBe('62515:12345:1:1564113600000');
    expect(hubspotDedupeKey({ ...event, subscriptionId: 12346 })).not.toBe(hubspotDedupeKey(event));
    expect(hubspotDedupeKey({ ...event, occurredAt: 1564113600001 })).not.toBe(hubspotDedupeKey(event));
  });
});
