/**
 * Colour words and their colours: the 11 basic colour terms (Berlin & Kay), their synonyms and
 * things with a typical colour ("sky" is light blue, "grass" green), and colour prototypes in sRGB.
 * The colours model is generated from these (tools/colours/palette.ts); the palette keeps a class
 * that names a colour away from that colour, so its overlay stays visible on the thing it names.
 */

/** The 11 basic colour terms (Berlin & Kay), one embedding axis each. */
export const COLOURS = [
  'red',
  'orange',
  'yellow',
  'green',
  'blue',
  'purple',
  'pink',
  'brown',
  'black',
  'white',
  'grey',
] as const;
export type Colour = (typeof COLOURS)[number];
type Modifier = 'light' | 'dark';

export interface Word {
  word: string;
  colour?: Colour;
  modifier?: Modifier;
}

const w = (word: string, colour?: Colour, modifier?: Modifier): Word => ({ word, colour, modifier });

/** Vocabulary; words that are not a single CLIP token are dropped by the generator. */
export const WORDS: readonly Word[] = [
  ...COLOURS.map((c) => w(c, c)),
  w('gray', 'grey'),
  // Modifiers alone.
  w('light', undefined, 'light'),
  w('pale', undefined, 'light'),
  w('dark', undefined, 'dark'),
  w('deep', undefined, 'dark'),
  // Red.
  ...['crimson', 'scarlet', 'ruby', 'cherry', 'tomato', 'blood'].map((x) => w(x, 'red')),
  w('maroon', 'red', 'dark'),
  // Blue.
  w('navy', 'blue', 'dark'),
  w('sky', 'blue', 'light'),
  w('azure', 'blue', 'light'),
  ...['sea', 'ocean', 'water'].map((x) => w(x, 'blue')),
  // Green.
  ...['grass', 'leaf', 'leaves', 'forest', 'lime', 'emerald', 'tree', 'trees'].map((x) => w(x, 'green')),
  w('olive', 'green', 'dark'),
  // White.
  ...['snow', 'cloud', 'clouds', 'milk', 'paper', 'ivory', 'cream'].map((x) => w(x, 'white')),
  // Black.
  ...['coal', 'night', 'ebony', 'charcoal', 'ink'].map((x) => w(x, 'black')),
  // Grey.
  w('silver', 'grey', 'light'),
  ...['ash', 'concrete', 'asphalt', 'road', 'stone', 'cement', 'slate'].map((x) => w(x, 'grey')),
  // Yellow.
  ...['gold', 'golden', 'lemon', 'banana', 'sun', 'mustard'].map((x) => w(x, 'yellow')),
  // Orange.
  ...['carrot', 'pumpkin', 'tangerine', 'amber', 'rust'].map((x) => w(x, 'orange')),
  // Purple.
  ...['violet', 'lilac', 'magenta', 'indigo'].map((x) => w(x, 'purple')),
  w('lavender', 'purple', 'light'),
  w('plum', 'purple', 'dark'),
  // Pink.
  ...['rose', 'flamingo', 'salmon', 'fuchsia', 'peach'].map((x) => w(x, 'pink')),
  // Brown.
  ...['chocolate', 'coffee', 'wood', 'soil', 'dirt', 'mud', 'bronze'].map((x) => w(x, 'brown')),
  w('tan', 'brown', 'light'),
  w('beige', 'brown', 'light'),
];

export interface Prototype {
  colour: Colour;
  modifier?: Modifier;
  /** 8-bit sRGB. */
  rgb: [number, number, number];
}

const p = (colour: Colour, rgb: [number, number, number], modifier?: Modifier): Prototype => ({
  colour,
  rgb,
  modifier,
});

/**
 * Colour prototypes = the model's queries. Several per colour so that
 * real-photo colours (shadowed grass, pale sky, skin, asphalt) are named
 * right: the nearest prototype in colour space wins each pixel.
 */
export const PROTOTYPES: readonly Prototype[] = [
  p('red', [220, 30, 35]),
  p('red', [150, 20, 30], 'dark'),
  p('red', [200, 70, 60]),
  p('orange', [245, 140, 30]),
  p('orange', [255, 175, 60]),
  p('orange', [210, 105, 35]),
  p('yellow', [245, 225, 40]),
  p('yellow', [250, 240, 140], 'light'),
  p('yellow', [215, 180, 40]),
  p('yellow', [190, 165, 65]),
  p('green', [40, 170, 60]),
  p('green', [120, 200, 90], 'light'),
  p('green', [80, 130, 50]),
  p('green', [40, 80, 35], 'dark'),
  p('green', [110, 120, 45], 'dark'),
  p('green', [60, 150, 120]),
  p('blue', [30, 70, 210]),
  p('blue', [25, 35, 110], 'dark'),
  p('blue', [90, 150, 220]),
  p('blue', [140, 190, 240], 'light'),
  p('blue', [190, 215, 240], 'light'),
  p('blue', [40, 130, 170]),
  p('purple', [130, 50, 170]),
  p('purple', [75, 30, 100], 'dark'),
  p('purple', [180, 140, 215], 'light'),
  p('pink', [240, 120, 170]),
  p('pink', [250, 190, 205], 'light'),
  p('pink', [215, 50, 140]),
  p('pink', [235, 185, 165], 'light'),
  p('brown', [130, 80, 40]),
  p('brown', [85, 55, 35], 'dark'),
  p('brown', [170, 120, 75]),
  p('brown', [200, 165, 125], 'light'),
  p('black', [12, 12, 14]),
  p('black', [30, 30, 33]),
  p('white', [250, 250, 250]),
  p('white', [225, 228, 232]),
  p('grey', [128, 128, 130]),
  p('grey', [75, 76, 80], 'dark'),
  p('grey', [180, 180, 182], 'light'),
  p('grey', [115, 120, 132]),
];
