/**
 * The shape of the demo shop: eight departments, each with a handful of
 * aisles, the words product names are made of, believable price ranges and,
 * for what people run out of, how many days a pack typically lasts.
 * Data only; `catalog.ts` turns it into products.
 */

export type IconName = 'cup' | 'pot' | 'bolt' | 'printer' | 'drop' | 'paw' | 'mountain' | 'shirt';

export interface SubcategorySpec {
  name: string;
  /**
   * What the product is ("Espresso Beans"); one per product name. A noun may
   * carry its own price range where the aisle's range would be silly for it
   * (running socks and GPS watches share an aisle, not a price).
   */
  nouns: readonly (string | readonly [noun: string, min: number, max: number])[];
  /** What kind ("Dark Roast"); optional words before the noun. */
  styles: readonly string[];
  /** Pack size, colour or model; optional words after the noun. */
  variants: readonly string[];
  /** Price range in USD; prices are drawn log-uniformly inside it. */
  price: readonly [number, number];
  /** Typical days between purchases for consumables; absent for durable goods. */
  repurchaseDays?: number;
  /** Relative share of the catalog (and, in the shopper model, of attention). */
  weight: number;
}

export interface TopCategorySpec {
  name: string;
  /** Hue (0–360) of the department's colour in product images. */
  hue: number;
  icon: IconName;
  brands: readonly string[];
  subcategories: readonly SubcategorySpec[];
}

export const CATEGORY_TREE: readonly TopCategorySpec[] = [
  {
    name: 'Grocery',
    hue: 28,
    icon: 'cup',
    brands: ['Hearth & Field', 'Morning Ritual', 'Copper Kettle', 'Alpine Meadow', 'Blue Harbor', 'Sunny Acres'],
    subcategories: [
      {
        name: 'Coffee',
        nouns: ['Whole Bean Coffee', 'Ground Coffee', 'Espresso Beans', 'Cold Brew Blend', 'Coffee Pods'],
        styles: ['Dark Roast', 'Medium Roast', 'Single-Origin', 'Organic', 'Decaf', 'House Blend'],
        variants: ['250 g', '500 g', '1 kg'],
        price: [8, 32],
        repurchaseDays: 21,
        weight: 1.3,
      },
      {
        name: 'Tea',
        nouns: ['Green Tea', 'Sencha', 'Earl Grey', 'Chamomile Tea', 'Matcha Powder', 'Oolong Tea'],
        styles: ['Organic', 'Loose-Leaf', 'First Flush', 'Ceremonial', 'Jasmine'],
        variants: ['20 bags', '50 g', '100 g'],
        price: [4, 28],
        repurchaseDays: 28,
        weight: 1,
      },
      {
        name: 'Snacks',
        nouns: ['Pretzels', 'Tortilla Chips', 'Salted Peanuts', 'Trail Mix', 'Crackers', 'Popcorn'],
        styles: ['Sea Salt', 'Spicy', 'Honey Roasted', 'Cheddar', 'Smoked'],
        variants: ['150 g', 'Family Pack', '6-Pack'],
        price: [2, 12],
        repurchaseDays: 10,
        weight: 1.2,
      },
      {
        name: 'Beer & Cider',
        nouns: ['Lager', 'Pale Ale', 'Wheat Beer', 'IPA', 'Dry Cider', 'Stout'],
        styles: ['Craft', 'Bavarian', 'Session', 'Hazy', 'Barrel-Aged'],
        variants: ['6 × 330 ml', '12-Pack', '4 × 500 ml'],
        price: [7, 30],
        repurchaseDays: 9,
        weight: 1,
      },
      {
        name: 'Breakfast',
        nouns: ['Granola', 'Oat Porridge', 'Maple Syrup', 'Fruit Jam', 'Honey'],
        styles: ['Crunchy', 'Wildflower', 'Organic', 'Apricot', 'Blueberry'],
        variants: ['350 g', '500 g', '2-Pack'],
        price: [3, 15],
        repurchaseDays: 14,
        weight: 0.9,
      },
    ],
  },
  {
    name: 'Home & Kitchen',
    hue: 200,
    icon: 'pot',
    brands: ['Kitchenary', 'Oak & Iron', 'Nordvik', 'Casa Verde', 'Linden Home'],
    subcategories: [
      {
        name: 'Cookware',
        nouns: ['Frying Pan', 'Saucepan', 'Dutch Oven', 'Wok', 'Stockpot'],
        styles: ['Cast-Iron', 'Non-Stick', 'Stainless', 'Enamelled', 'Carbon-Steel'],
        variants: ['20 cm', '24 cm', '28 cm'],
        price: [19, 180],
        weight: 1,
      },
      {
        name: 'Coffee Makers',
        nouns: [
          ['Pour-Over Dripper', 15, 45],
          ['French Press', 19, 60],
          ['Espresso Machine', 149, 450],
          ['Moka Pot', 19, 55],
          ['Burr Grinder', 39, 220],
          ['Drip Coffee Maker', 35, 160],
        ],
        styles: ['Compact', 'Manual', 'Programmable', 'Glass', 'Brushed Steel'],
        variants: ['Black', 'Silver', 'Matte White'],
        price: [15, 450],
        weight: 0.9,
      },
      {
        name: 'Tableware',
        nouns: ['Dinner Plates', 'Coffee Mugs', 'Tea Cups', 'Serving Bowls', 'Wine Glasses'],
        styles: ['Stoneware', 'Porcelain', 'Hand-Glazed', 'Minimalist', 'Speckled'],
        variants: ['Set of 2', 'Set of 4', 'Set of 6'],
        price: [12, 90],
        weight: 0.9,
      },
      {
        name: 'Cleaning Supplies',
        nouns: ['Dish Soap', 'Laundry Detergent', 'Multi-Surface Spray', 'Dishwasher Tablets', 'Sponges'],
        styles: ['Lemon', 'Unscented', 'Eco', 'Lavender', 'Concentrated'],
        variants: ['500 ml', '1 l', 'Refill Pack'],
        price: [3, 25],
        repurchaseDays: 30,
        weight: 1,
      },
      {
        name: 'Storage',
        nouns: ['Food Containers', 'Spice Jars', 'Pantry Bins', 'Bread Box', 'Vacuum Canisters'],
        styles: ['Glass', 'Bamboo', 'Stackable', 'Airtight'],
        variants: ['Set of 3', 'Set of 6', 'Large'],
        price: [9, 60],
        weight: 0.7,
      },
    ],
  },
  {
    name: 'Electronics',
    hue: 228,
    icon: 'bolt',
    brands: ['Voltra', 'Sonique', 'Pixelon', 'Arcwave', 'Nimbus Labs'],
    subcategories: [
      {
        name: 'Headphones',
        nouns: ['Wireless Earbuds', 'Over-Ear Headphones', 'Noise-Cancelling Headphones', 'Sport Earbuds', 'On-Ear Headphones'],
        styles: ['Studio', 'Pro', 'Lite', 'Active'],
        variants: ['Black', 'White', 'Navy'],
        price: [29, 399],
        weight: 1.2,
      },
      {
        name: 'Phone Accessories',
        nouns: ['Phone Case', 'USB-C Charger', 'Power Bank', 'Screen Protector', 'Car Mount', 'Charging Cable'],
        styles: ['Rugged', 'Slim', 'Fast', 'Magnetic', 'Braided'],
        variants: ['Black', 'Clear', '2-Pack'],
        price: [9, 79],
        weight: 1.2,
      },
      {
        name: 'Laptops',
        nouns: ['Ultrabook 13"', 'Laptop 15"', 'Chromebook 14"', 'Gaming Laptop 16"', '2-in-1 Laptop'],
        styles: ['Air', 'Pro', 'Creator', 'Everyday'],
        variants: ['8 GB', '16 GB', '32 GB'],
        price: [349, 2400],
        weight: 0.8,
      },
      {
        name: 'Cameras',
        nouns: [
          ['Mirrorless Camera', 599, 2200],
          ['Compact Camera', 249, 899],
          ['Action Camera', 149, 449],
          ['Instant Camera', 69, 149],
          ['50 mm Lens', 129, 599],
        ],
        styles: ['Full-Frame', '4K', 'Vlog', 'Retro'],
        variants: ['Body Only', 'Kit', 'Bundle'],
        price: [89, 2200],
        weight: 0.8,
      },
      {
        name: 'Smart Home',
        nouns: [
          ['Smart Speaker', 39, 199],
          ['Smart Plug', 15, 39],
          ['Video Doorbell', 79, 249],
          ['Smart Thermostat', 99, 250],
          ['Smart Bulb', 15, 49],
        ],
        styles: ['Mini', 'Pro', 'Wi-Fi', 'Zigbee'],
        variants: ['Single', '2-Pack', '4-Pack'],
        price: [15, 250],
        weight: 0.9,
      },
    ],
  },
  {
    name: 'Office',
    hue: 265,
    icon: 'printer',
    brands: ['Papyrus & Co.', 'Inkwell', 'Deskwise', 'Printwell', 'Ledger'],
    subcategories: [
      {
        name: 'Printers',
        nouns: ['Inkjet Printer', 'Laser Printer', 'Photo Printer', 'All-in-One Printer'],
        styles: ['Wireless', 'Compact', 'Duplex', 'Eco'],
        variants: ['Home', 'Office', 'Pro'],
        price: [79, 499],
        weight: 0.6,
      },
      {
        name: 'Printer Ink',
        nouns: ['Black Ink Cartridge', 'Colour Ink Cartridge', 'Toner Cartridge', 'Ink Multipack'],
        styles: ['XL', 'Standard', 'High-Yield', 'Eco'],
        variants: ['Single', 'Twin Pack', 'Value Pack'],
        price: [12, 89],
        repurchaseDays: 28,
        weight: 0.8,
      },
      {
        name: 'Paper',
        nouns: ['Copy Paper', 'Photo Paper', 'Sticky Notes', 'Envelopes'],
        styles: ['A4', 'Letter', 'Recycled', 'Glossy'],
        variants: ['500 sheets', '5 reams', '100-Pack'],
        price: [4, 45],
        repurchaseDays: 30,
        weight: 0.7,
      },
      {
        name: 'Desk Accessories',
        nouns: ['Desk Lamp', 'Monitor Stand', 'Desk Organizer', 'Ergonomic Mouse', 'Wireless Keyboard'],
        styles: ['Walnut', 'Aluminium', 'Minimal', 'Adjustable'],
        variants: ['Black', 'White', 'Oak'],
        price: [15, 160],
        weight: 0.9,
      },
      {
        name: 'Notebooks',
        nouns: ['Dotted Notebook', 'Lined Journal', 'Sketchbook', 'Weekly Planner', 'Fountain Pen'],
        styles: ['Hardcover', 'Softcover', 'Pocket', 'A5'],
        variants: ['Black', 'Sage', 'Terracotta'],
        price: [5, 45],
        weight: 0.8,
      },
    ],
  },
  {
    name: 'Health & Beauty',
    hue: 330,
    icon: 'drop',
    brands: ['Lumière', 'PureRoot', 'Vitalis', 'Seabloom', 'Dermalune'],
    subcategories: [
      {
        name: 'Vitamins',
        nouns: ['Vitamin D3', 'Multivitamin', 'Omega-3', 'Magnesium', 'Vitamin C', 'Probiotic'],
        styles: ['Daily', 'Gummies', 'Vegan', 'Extra Strength'],
        variants: ['60 capsules', '90 tablets', '120 softgels'],
        price: [7, 40],
        repurchaseDays: 30,
        weight: 1,
      },
      {
        name: 'Skincare',
        nouns: ['Face Serum', 'Moisturiser', 'Sunscreen SPF 50', 'Cleanser', 'Eye Cream'],
        styles: ['Hydrating', 'Vitamin C', 'Gentle', 'Night', 'Hyaluronic'],
        variants: ['30 ml', '50 ml', '100 ml'],
        price: [9, 85],
        repurchaseDays: 28,
        weight: 1.1,
      },
      {
        name: 'Hair Care',
        nouns: ['Shampoo', 'Conditioner', 'Hair Oil', 'Hair Mask', 'Dry Shampoo'],
        styles: ['Argan', 'Volumising', 'Repair', 'Tea Tree'],
        variants: ['250 ml', '500 ml', 'Travel Size'],
        price: [5, 35],
        repurchaseDays: 25,
        weight: 0.9,
      },
      {
        name: 'Oral Care',
        nouns: ['Toothbrush Heads', 'Toothpaste', 'Dental Floss', 'Mouthwash'],
        styles: ['Whitening', 'Sensitive', 'Mint', 'Charcoal'],
        variants: ['Single', '2-Pack', '4-Pack'],
        price: [3, 40],
        repurchaseDays: 25,
        weight: 0.7,
      },
      {
        name: 'Fragrance',
        nouns: ['Eau de Parfum', 'Eau de Toilette', 'Body Mist', 'Cologne'],
        styles: ['Citrus', 'Amber', 'Floral', 'Woody', 'Fresh'],
        variants: ['30 ml', '50 ml', '100 ml'],
        price: [25, 160],
        weight: 0.8,
      },
    ],
  },
  {
    name: 'Pets',
    hue: 95,
    icon: 'paw',
    brands: ['Happy Paws', 'Whisker & Co.', 'Barkley', 'Tailwind Pet', 'Furrow'],
    subcategories: [
      {
        name: 'Dog Food',
        nouns: ['Dry Dog Food', 'Grain-Free Kibble', 'Puppy Food', 'Dog Treats', 'Wet Dog Food'],
        styles: ['Chicken', 'Salmon', 'Lamb & Rice', 'Senior'],
        variants: ['2 kg', '6 kg', '12 kg'],
        price: [8, 75],
        repurchaseDays: 28,
        weight: 1,
      },
      {
        name: 'Cat Food',
        nouns: ['Dry Cat Food', 'Wet Cat Food', 'Kitten Food', 'Cat Treats'],
        styles: ['Tuna', 'Chicken', 'Indoor', 'Sensitive'],
        variants: ['12 × 85 g', '2 kg', '4 kg'],
        price: [5, 45],
        repurchaseDays: 21,
        weight: 1,
      },
      {
        name: 'Cat Litter',
        nouns: ['Clumping Litter', 'Silica Litter', 'Pine Litter', 'Tofu Litter'],
        styles: ['Unscented', 'Low-Dust', 'Lavender'],
        variants: ['5 l', '10 l', '20 l'],
        price: [8, 30],
        repurchaseDays: 14,
        weight: 0.7,
      },
      {
        name: 'Pet Toys',
        nouns: ['Chew Toy', 'Rope Toy', 'Feather Wand', 'Ball Launcher', 'Puzzle Feeder'],
        styles: ['Durable', 'Squeaky', 'Interactive', 'Natural Rubber'],
        variants: ['Small', 'Medium', 'Large'],
        price: [4, 40],
        weight: 0.8,
      },
      {
        name: 'Pet Beds',
        nouns: ['Orthopaedic Dog Bed', 'Cat Tree', 'Donut Bed', 'Crate Mat'],
        styles: ['Plush', 'Memory-Foam', 'Washable', 'Cooling'],
        variants: ['Small', 'Medium', 'Large'],
        price: [25, 180],
        weight: 0.6,
      },
    ],
  },
  {
    name: 'Sports & Outdoors',
    hue: 160,
    icon: 'mountain',
    brands: ['Trailhead', 'Summit Gear', 'Velocita', 'Tidewater', 'Northpeak'],
    subcategories: [
      {
        name: 'Running',
        nouns: [
          ['Running Jacket', 59, 180],
          ['Running Tights', 35, 90],
          ['GPS Watch', 149, 350],
          ['Hydration Vest', 49, 140],
          ['Running Socks', 12, 25],
        ],
        styles: ['Lightweight', 'Reflective', 'Trail', 'Marathon'],
        variants: ['S', 'M', 'L'],
        price: [12, 350],
        weight: 1,
      },
      {
        name: 'Cycling',
        nouns: [
          ['Bike Helmet', 49, 180],
          ['Bike Lights', 19, 79],
          ['Cycling Jersey', 39, 120],
          ['Bike Lock', 25, 110],
          ['Floor Pump', 25, 70],
          ['Cycling Gloves', 15, 45],
        ],
        styles: ['Road', 'Commuter', 'Gravel', 'Aero'],
        variants: ['S', 'M', 'L'],
        price: [15, 180],
        weight: 0.9,
      },
      {
        name: 'Camping',
        nouns: [
          ['2-Person Tent', 149, 400],
          ['Sleeping Bag', 69, 280],
          ['Camping Stove', 39, 140],
          ['Headlamp', 15, 60],
          ['Camping Chair', 29, 110],
        ],
        styles: ['Ultralight', 'Four-Season', 'Compact', 'Family'],
        variants: ['Olive', 'Sand', 'Orange'],
        price: [15, 400],
        weight: 0.8,
      },
      {
        name: 'Yoga',
        nouns: ['Yoga Mat', 'Yoga Blocks', 'Yoga Strap', 'Meditation Cushion', 'Yoga Leggings'],
        styles: ['Non-Slip', 'Cork', 'Eco', 'Travel'],
        variants: ['Sage', 'Plum', 'Charcoal'],
        price: [10, 110],
        weight: 0.9,
      },
      {
        name: 'Swimming',
        nouns: ['Swim Goggles', 'Swimsuit', 'Swim Cap', 'Beach Towel', 'Kickboard'],
        styles: ['Anti-Fog', 'Chlorine-Proof', 'Quick-Dry', 'Training'],
        variants: ['Blue', 'Coral', 'Black'],
        price: [8, 80],
        weight: 0.8,
      },
      {
        name: 'Winter Sports',
        nouns: ['Ski Goggles', 'Ski Gloves', 'Thermal Base Layer', 'Ski Helmet', 'Snowboard Socks'],
        styles: ['Insulated', 'Merino', 'Waterproof', 'Alpine'],
        variants: ['S', 'M', 'L'],
        price: [15, 260],
        weight: 0.7,
      },
    ],
  },
  {
    name: 'Fashion',
    hue: 5,
    icon: 'shirt',
    brands: ['Atelier Nord', 'Common Thread', 'Urban Fable', 'Kinfolk Supply', 'Maren'],
    subcategories: [
      {
        name: 'Sneakers',
        nouns: ['Low-Top Sneakers', 'High-Top Sneakers', 'Slip-On Sneakers', 'Trail Runners'],
        styles: ['Canvas', 'Leather', 'Suede', 'Knit'],
        variants: ['White', 'Black', 'Grey'],
        price: [45, 180],
        weight: 1.1,
      },
      {
        name: 'Jackets',
        nouns: ['Rain Jacket', 'Puffer Jacket', 'Denim Jacket', 'Trench Coat', 'Fleece Jacket'],
        styles: ['Packable', 'Recycled', 'Classic', 'Oversized'],
        variants: ['Navy', 'Olive', 'Camel'],
        price: [49, 320],
        weight: 1,
      },
      {
        name: 'T-Shirts',
        nouns: ['Crew-Neck T-Shirt', 'V-Neck T-Shirt', 'Graphic Tee', 'Long-Sleeve Tee'],
        styles: ['Organic Cotton', 'Heavyweight', 'Linen-Blend', 'Slim-Fit'],
        variants: ['White', 'Black', 'Heather Grey'],
        price: [12, 45],
        weight: 1,
      },
      {
        name: 'Bags',
        nouns: ['Backpack', 'Tote Bag', 'Crossbody Bag', 'Duffel Bag', 'Laptop Sleeve', 'Camera Bag'],
        styles: ['Waxed Canvas', 'Leather', 'Nylon', 'Roll-Top'],
        variants: ['Black', 'Tan', 'Forest'],
        price: [19, 220],
        weight: 1,
      },
      {
        name: 'Sunglasses',
        nouns: ['Aviator Sunglasses', 'Round Sunglasses', 'Sport Sunglasses', 'Wayfarer Sunglasses'],
        styles: ['Polarised', 'Tortoiseshell', 'Titanium', 'Mirrored'],
        variants: ['Gold', 'Black', 'Havana'],
        price: [19, 210],
        weight: 0.7,
      },
    ],
  },
];
