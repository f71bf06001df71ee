import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import * as fontkit from 'fontkit';

const require = createRequire(import.meta.url);
const dejavuDir = path.join(path.dirname(require.resolve('dejavu-fonts-ttf/package.json')), 'ttf');

/** Where Debian/Ubuntu and RHEL put a CJK font (fonts-wqy-microhei, fonts-noto-cjk, google-noto-sans-cjk-fonts). */
const cjkCandidates = [
  '/usr/share/fonts/truetype/wqy/wqy-microhei.ttc',
  '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc',
  '/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc',
  '/usr/share/fonts/google-noto-sans-cjk-vf-fonts/NotoSansCJK-VF.ttc',
];

// Han, Hiragana/Katakana, Hangul, CJK symbols and full-width forms: what DejaVu has no glyphs for.
const cjkText = /[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]/;

export interface PdfFonts {
  /** The font to draw `text` with: the CJK one when the text needs it and one is available. */
  forText(text: string, weight?: 'regular' | 'bold' | 'oblique'): string;
  /** Null when no CJK font was found. */
  cjkFile: string | null;
}

/**
 * Embeds DejaVu Sans (Latin, Greek, Cyrillic ...) and, when one is configured or installed, a
 * CJK font, so user and host names in any script render instead of turning into boxes.
 */
export function registerFonts(doc: PDFKit.PDFDocument, cjkFontFile: string | undefined): PdfFonts {
  doc.registerFont('Sans', path.join(dejavuDir, 'DejaVuSans.ttf'));
  doc.registerFont('Sans-Bold', path.join(dejavuDir, 'DejaVuSans-Bold.ttf'));
  doc.registerFont('Sans-Oblique', path.join(dejavuDir, 'DejaVuSans-Oblique.ttf'));
  const cjkFile =
    [cjkFontFile, ...cjkCandidates].find((f): f is string => Boolean(f) && existsSync(f as string)) ?? null;
  // Registered on first use: most reports never need it, and opening a 5 MB collection costs.
  let cjk: 'unused' | 'ready' | 'failed' = 'unused';
  const cjkReady = () => {
    if (cjk === 'unused' && cjkFile) {
      try {
        doc.registerFont('CJK', cjkFile, faceName(cjkFile));
        cjk = 'ready';
      } catch {
        cjk = 'failed';
      }
    }
    return cjk === 'ready';
  };
  return {
    cjkFile,
    forText(text, weight = 'regular') {
      if (cjkText.test(text) && cjkReady()) return 'CJK';
      return weight === 'bold' ? 'Sans-Bold' : weight === 'oblique' ? 'Sans-Oblique' : 'Sans';
    },
  };
}

const faceNames = new Map<string, string | undefined>();

/** A collection (.ttc) needs the name of the face to use: its first. */
function faceName(file: string): string | undefined {
  if (!faceNames.has(file)) {
    const opened = fontkit.openSync(file) as unknown as { fonts?: { postscriptName: string }[] };
    faceNames.set(file, opened.fonts?.[0]?.postscriptName);
  }
  return faceNames.get(file);
}
