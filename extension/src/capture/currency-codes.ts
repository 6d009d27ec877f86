/**
 * ISO 4217 codes (current and historical ones Intl still names) and their minor digits as CLDR states them (what Intl.NumberFormat answers), held as
 * data: the first Intl currency formatter in a page costs 15-35 ms, more than a whole capture may
 * take. currency-codes.test.ts checks this table against Intl (and so against the core's
 * minorDigits), so a CLDR change shows up as a failing test rather than a price off by 100.
 */
const CODES = [
  "ADP AED AFA AFN ALK ALL AMD ANG AOA AOK AON AOR ARA ARL ARM ARP ARS ATS AUD AWG AZM AZN BAD BAM",
  "BAN BBD BDT BEC BEF BEL BGL BGM BGN BGO BHD BIF BMD BND BOB BOL BOP BOV BRB BRC BRE BRL BRN BRR",
  "BRZ BSD BTN BUK BWP BYB BYN BYR BZD CAD CDF CHE CHF CHW CLE CLF CLP CNH CNX CNY COP COU CRC CSD",
  "CSK CUC CUP CVE CYP CZK DDM DEM DJF DKK DOP DZD ECS ECV EEK EGP ERN ESA ESB ESP ETB EUR FIM FJD",
  "FKP FRF GBP GEK GEL GHC GHS GIP GMD GNF GNS GQE GRD GTQ GWE GWP GYD HKD HNL HRD HRK HTG HUF IDR",
  "IEP ILP ILR ILS INR IQD IRR ISJ ISK ITL JMD JOD JPY KES KGS KHR KMF KPW KRH KRO KRW KWD KYD KZT",
  "LAK LBP LKR LRD LSL LTL LTT LUC LUF LUL LVL LVR LYD MAD MAF MCF MDC MDL MGA MGF MKD MKN MLF MMK",
  "MNT MOP MRO MRU MTL MTP MUR MVP MVR MWK MXN MXP MXV MYR MZE MZM MZN NAD NGN NIC NIO NLG NOK NPR",
  "NZD OMR PAB PEI PEN PES PGK PHP PKR PLN PLZ PTE PYG QAR RHD ROL RON RSD RUB RUR RWF SAR SBD SCR",
  "SDD SDG SDP SEK SGD SHP SIT SKK SLE SLL SOS SRD SRG SSP STD STN SUR SVC SYP SZL THB TJR TJS TMM",
  "TMT TND TOP TPE TRL TRY TTD TWD TZS UAH UAK UGS UGX USD USN USS UYI UYP UYU UYW UZS VEB VED VEF",
  "VES VND VNN VUV WST XAF XAG XAU XBA XBB XBC XBD XCD XCG XDR XEU XFO XFU XOF XPD XPF XPT XRE XSU",
  "XTS XUA XXX YDD YER YUD YUM YUN YUR ZAL ZAR ZMK ZMW ZRN ZRZ ZWD ZWG ZWL ZWR",
].join(' ');

/** Currencies whose minor unit is not 2 digits. */
const DIGITS: Record<string, number> = {
  ADP: 0, AFN: 0, ALL: 0, BIF: 0, BYR: 0, CLP: 0, COP: 0, DJF: 0, ESP: 0, GNF: 0, HUF: 0, IDR: 0, IQD: 0, IRR: 0, ISK: 0, ITL: 0, JPY: 0, KMF: 0, KPW: 0, KRW: 0, LAK: 0, LBP: 0, LUF: 0, MGA: 0, MGF: 0, MMK: 0, MRO: 0, PKR: 0, PYG: 0, RWF: 0, SLL: 0, SOS: 0, STD: 0, SYP: 0, TMM: 0, TRL: 0, UGX: 0, UYI: 0, VND: 0, VUV: 0, XAF: 0, XOF: 0, XPF: 0, YER: 0, ZMK: 0, ZWD: 0,
  BHD: 3, JOD: 3, KWD: 3, LYD: 3, OMR: 3, TND: 3,
  CLF: 4, UYW: 4,
};

const KNOWN = new Set(CODES.split(' '));

/** A current ISO 4217 code (upper case). */
export function isCurrencyCode(code: string): boolean {
  return KNOWN.has(code);
}

/** Digits of the minor unit; 2 for codes this table does not know, as for 'unknown'. */
export function currencyDigits(code: string): number {
  return DIGITS[code] ?? 2;
}

/** Every code in the table (for tests). */
export const CURRENCY_CODES: readonly string[] = [...KNOWN];
